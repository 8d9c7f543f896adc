// Module icons as inline SVG, drawn with the text colour: the modules' own icons are emoji,
// which show as empty boxes on a machine without an emoji font. One small set, 24×24
// strokes; a module without a drawing of its own gets the generic cog.

const PATHS: Record<string, string[]> = {
  // a shell prompt
  command: ['M4 5h16v14H4z', 'M7 10l3 2-3 2', 'M12 15h5'],
  // a box with its lid's seam
  deploy: ['M12 3l8 4.5v9L12 21l-8-4.5v-9z', 'M4 7.5l8 4.5 8-4.5', 'M12 12v9'],
  // a screen on a stand
  inventory: ['M3 5h18v11H3z', 'M9 20h6', 'M12 16v4'],
  // radio waves from a point
  netdiscovery: ['M12 13v8', 'M8.5 9.5a5 5 0 0 1 7 0', 'M5.5 6.5a9 9 0 0 1 13 0', 'M12 13h.01'],
  // a power button
  wakeonlan: ['M12 3v9', 'M6.3 7.5a8 8 0 1 0 11.4 0'],
  // a broom
  housekeeping: ['M14 3l-4 9', 'M6 12h8l2 9H4z', 'M8 16v5', 'M12 16v5'],
  // an empty circle
  noop: ['M12 4a8 8 0 1 1 0 16a8 8 0 1 1 0-16', 'M6 18L18 6'],
  // a cog, for any other module
  other: [
    'M12 9a3 3 0 1 1 0 6a3 3 0 1 1 0-6',
    'M12 2v3',
    'M12 19v3',
    'M2 12h3',
    'M19 12h3',
    'M5 5l2 2',
    'M17 17l2 2',
    'M5 19l2-2',
    'M17 7l2-2',
  ],
};

/** Modules that share a drawing: relays and variants look like their module. */
const SAME_AS: Record<string, string> = { 'wakeonlan-relay': 'wakeonlan', fusioninventory: 'inventory' };

export function ModuleIcon({ module, size = 18 }: { module: string; size?: number }) {
  const paths = PATHS[SAME_AS[module] ?? module] ?? PATHS.other ?? [];
  return (
    <svg
      className="module-svg"
      data-module={module}
      viewBox="0 0 24 24"
      width={size}
      height={size}
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      {paths.map((d) => (
        <path key={d} d={d} />
      ))}
    </svg>
  );
}
