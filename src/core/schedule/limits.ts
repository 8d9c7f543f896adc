/** Upper bound of a preview (API and CLI). Its own file: the CLI's help shows it without loading the schedule engine. */
export const MAX_PREVIEW_COUNT = 1000;
