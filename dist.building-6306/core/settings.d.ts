/**
 * One setting of a program (the server, the agent): its key in the config file, and the
 * flag and environment variable that may set it too. The tables of these rows are the one
 * place a setting is declared; the README's configuration table is checked against them.
 */
export interface SettingSpec {
    /** Key in the YAML config file; a dot nests it (`tls.cert` is `tls: {cert: …}`). */
    key: string;
    /** Command-line flag, e.g. `--port`; absent = none. */
    flag?: string;
    /** Environment variable; absent = none. */
    env?: string;
    /** The default as the README shows it. */
    default: string;
    /** What it sets, for the README table. */
    doc: string;
}
/** A value given for a setting and where it came from (a flag, a variable, `FILE: key`), for error messages. */
export interface Sourced {
    value: string;
    source: string;
}
export interface SettingInputs {
    /** Values of the flags given, by flag name without dashes, camel-cased as commander does (`--trust-proxy` → trustProxy). */
    flags: Record<string, unknown>;
    env: NodeJS.ProcessEnv;
    /** The config file's settings by key (parseSettingsFile), or empty. */
    file: Map<string, Sourced>;
}
/** Looks a setting up with the precedence flag > environment > config file > default (null). */
export type SettingLookup = (key: string) => Sourced | null;
export declare function resolveSettings(specs: readonly SettingSpec[], inputs: SettingInputs): SettingLookup;
/** `--trust-proxy` → `trustProxy`, the property commander gives the flag's value under. */
export declare function flagProperty(flag: string): string;
/** yaml's `parse`, passed in: the agent loads that package only when it has a config file to read. */
export type YamlParse = (text: string, options: {
    maxAliasCount: number;
}) => unknown;
/**
 * A YAML config file's settings: a mapping of the specs' keys (nested for dotted keys), with
 * scalar values, or a list for a comma-separated setting. An unknown key, or a value of
 * the wrong kind, is a ValidationError naming the file and the key.
 */
export declare function parseSettingsFile(text: string, fileName: string, specs: readonly SettingSpec[], parseYaml: YamlParse): Map<string, Sourced>;
