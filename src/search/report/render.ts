// Renders a vega-lite spec to a standalone SVG string offline: vega-lite compiles it, vega's headless View draws it.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Shared look of every chart in the report. */
const CONFIG = {
  font: 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
} as const;

/** Compiles and renders a vega-lite spec to SVG markup (no network, no DOM). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const withConfig = { ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec;
  const compiled = compile(withConfig).spec;
  // No loader is needed: every chart carries its data inline; a loader that refuses keeps the render offline.
  const loader = vega.loader();
  loader.load = () => Promise.reject(new Error('the search report renders offline: data must be inline'));
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
