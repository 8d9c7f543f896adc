import { type Static, Type } from 'typebox';

/**
 * The REST side of the FusionInventory agent's protocol (HTTP/Client/Fusion.pm): GET
 * requests whose query names an `action` and the agent (`machineid`, its DEVICEID), plus
 * the action's own fields; answers are JSON. Fields this server does not read (task[Deploy],
 * version…) are allowed, so a newer agent is not refused for what it adds.
 */
const Text = (max: number) => Type.Optional(Type.String({ maxLength: max }));

export const FusionRestQuery = Type.Object(
  {
    action: Type.String({ minLength: 1, maxLength: 40 }),
    machineid: Type.String({ minLength: 1, maxLength: 255 }),
    // setStatus and setUserEvent (Deploy/Job.pm); the agent cuts values to 1,500 escaped bytes.
    uuid: Text(100),
    part: Text(20),
    status: Text(40),
    msg: Text(4000),
    currentStep: Text(40),
    sha512: Text(128),
    actionnum: Text(10),
    checknum: Text(10),
    type: Text(100),
    behavior: Text(100),
    event: Text(100),
    user: Text(255),
  },
  { additionalProperties: true },
);
export type FusionRestQuery = Static<typeof FusionRestQuery>;

/** A part of a package archive: `<mirror><sha256>/<c>/<cc>/<part sha512>`. */
export const FilePartParams = Type.Object({
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  c: Type.String({ pattern: '^[0-9a-f]$' }),
  cc: Type.String({ pattern: '^[0-9a-f]{2}$' }),
  '*': Type.String({ pattern: '^[0-9a-f]{128}$' }),
});
