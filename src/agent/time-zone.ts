/**
 * The machine's IANA zone as the OS gives it (TZ when set), sent at enrolment and at each
 * contact: a schedule with `tz: "agent"` reads its wall times there. Omitted when the
 * runtime has no name for it (the server then uses the schedule's fallbackTz).
 */
export function localTimeZone(): { timezone?: string } {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone ? { timezone: zone } : {};
}
