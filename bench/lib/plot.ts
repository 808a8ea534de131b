/**
 * Recall-vs-QPS plots in the style of ann-benchmarks: x = recall@k, y = queries per second on a
 * log scale, one line (with points) per index or library, points joined in sweep order. Rendered
 * to SVG headless with vega-lite → vega (`renderer: 'none'`).
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';

/** One point of a curve. */
export interface PlotPoint {
  /** Curve name (legend), e.g. "Shoal HNSW". */
  series: string;
  recall: number;
  qps: number;
  /** Position along the sweep (ef or nprobe order), so lines join points in that order. */
  order: number;
}

/**
 * An SVG document of `points` titled `title`. x spans [min recall − 0.02, 1] (clipped at 0), y is
 * logarithmic. Rejects if vega fails to render.
 */
export async function recallQpsSvg(title: string, points: PlotPoint[], k: number): Promise<string> {
  const minRecall = Math.max(0, Math.min(...points.map((p) => p.recall)) - 0.02);
  const spec: vl.TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 640,
    height: 420,
    background: 'white',
    data: { values: points },
    mark: { type: 'line', point: true, clip: true },
    encoding: {
      x: { field: 'recall', type: 'quantitative', title: `recall@${k}`, scale: { domain: [Math.floor(minRecall * 50) / 50, 1] }, axis: { tickCount: 10, format: '.2f' } },
      y: { field: 'qps', type: 'quantitative', title: 'queries per second (single query, log scale)', scale: { type: 'log' } },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom-left', labelLimit: 300 } },
      order: { field: 'order', type: 'quantitative' },
      tooltip: [{ field: 'series' }, { field: 'recall' }, { field: 'qps' }],
    },
  };
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
