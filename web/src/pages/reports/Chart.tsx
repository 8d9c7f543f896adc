import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

const HEIGHT = 220;

/**
 * A uPlot time chart that follows its container's width. The height is fixed and reserved
 * before the data arrives, so the page does not jump.
 */
export function Chart(props: {
  title: string;
  x: number[];
  series: { label: string; values: (number | null)[]; color: string; unit: string }[];
  /** The y axis runs from 0 to this, or to a bit above the highest value when omitted. */
  yMax?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = new uPlot(
      {
        width: el.clientWidth,
        height: HEIGHT,
        series: [
          {},
          ...props.series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            points: { show: true, size: 5 },
            spanGaps: false,
            value: (_: uPlot, v: number | null) => (v === null ? '—' : `${Math.round(v * 10) / 10} ${s.unit}`),
          })),
        ],
        scales: { y: { range: (_u, _min, max) => [0, props.yMax ?? (max > 0 ? max * 1.1 : 1)] } },
        axes: [{}, { size: 56 }],
      },
      [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props.x, props.series, props.yMax]);
  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={box} className="chart-box" style={{ minHeight: HEIGHT + 40 }} />
    </figure>
  );
}
