/**
 * A small builder for Dialoop's Grafana dashboards, typed by @grafana/schema: each dashboard in
 * this folder is a `Dashboard`, and its panels carry the timeseries and stat panels' own option
 * types. `scripts/dashboards.ts` writes them to ../dashboards/*.json (what Grafana provisions), and
 * infra/test/monitoring.test.ts fails when those files differ from what these sources build.
 */
import {
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  DashboardCursorSync,
  FieldColorModeId,
  GraphDrawStyle,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  PercentChangeColorMode,
  SortOrder,
  StackingMode,
  ThresholdsMode,
  TooltipDisplayMode,
  VariableHide,
  VariableRefresh,
  VariableSort,
  VisibilityMode,
  VizOrientation,
  defaultDashboard,
  type Dashboard,
  type DataSourceRef,
  type Panel,
  type RowPanel,
  type ThresholdsConfig,
  type VariableModel,
} from '@grafana/schema';
import type { Options as StatOptions } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type { FieldConfig as TimeSeriesFieldConfig, Options as TimeSeriesOptions } from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';

/** Every panel queries the Prometheus the dashboard's `datasource` variable picks. */
export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };
/** The uid of the data source provisioned by ../provisioning/datasources/prometheus.yaml. */
export const PROVISIONED_DATASOURCE_UID = 'prometheus';

/** One PromQL query of a panel; `legend` is Grafana's legend format (`{{label}}`). */
export interface Query {
  expr: string;
  legend?: string;
}

interface PanelSpec {
  title: string;
  /** Shown in the panel's (i) tooltip: what it shows and what to look for. */
  description: string;
  /** A Grafana unit id: short, s, percentunit, bytes, reqps, ops… */
  unit: string;
  queries: Query[];
  /** Grid columns of 24 (default: 8 for time series, 6 for stats). */
  width?: number;
  min?: number;
  max?: number;
  /** Red above this value (a threshold line on time series). */
  redAbove?: number;
}

interface TimeSeriesSpec extends PanelSpec {
  stack?: boolean;
  bars?: boolean;
}

/** A panel before layout: the dashboard gives it an id and a place. */
export interface PanelDraft {
  width: number;
  height: number;
  panel: Omit<Panel, 'id' | 'gridPos'>;
}

const thresholds = (redAbove: number | undefined): ThresholdsConfig => ({
  mode: ThresholdsMode.Absolute,
  steps: [{ value: null, color: 'green' }, ...(redAbove === undefined ? [] : [{ value: redAbove, color: 'red' }])],
});

const targets = (queries: Query[]) =>
  queries.map((q, i) => ({
    refId: String.fromCharCode(65 + i),
    datasource: DATASOURCE,
    expr: q.expr,
    legendFormat: q.legend ?? '__auto',
    range: true,
  }));

type PanelBody = PanelDraft['panel'];

/** What every panel has: its kind, title, description, data source and queries, and a size. */
function draft(s: PanelSpec, type: string, size: { width: number; height: number }, defaults: NonNullable<PanelBody['fieldConfig']>['defaults'], options: PanelBody['options']): PanelDraft {
  return {
    ...size,
    panel: {
      type,
      title: s.title,
      description: s.description,
      datasource: DATASOURCE,
      targets: targets(s.queries),
      fieldConfig: { defaults, overrides: [] },
      options,
    },
  };
}

export function timeseries(s: TimeSeriesSpec): PanelDraft {
  const options: TimeSeriesOptions = {
    legend: { displayMode: LegendDisplayMode.List, placement: 'bottom', showLegend: true, calcs: [] },
    tooltip: { mode: TooltipDisplayMode.Multi, sort: SortOrder.Descending },
  };
  const custom: TimeSeriesFieldConfig = {
    drawStyle: s.bars ? GraphDrawStyle.Bars : GraphDrawStyle.Line,
    lineWidth: 1,
    fillOpacity: s.stack ? 30 : 10,
    showPoints: VisibilityMode.Never,
    spanNulls: false,
    stacking: { mode: s.stack ? StackingMode.Normal : StackingMode.None, group: 'A' },
    thresholdsStyle: { mode: s.redAbove === undefined ? GraphThresholdsStyleMode.Off : GraphThresholdsStyleMode.Dashed },
  };
  return draft(s, 'timeseries', { width: s.width ?? 8, height: 8 }, {
    unit: s.unit,
    ...(s.min === undefined ? {} : { min: s.min }),
    ...(s.max === undefined ? {} : { max: s.max }),
    color: { mode: FieldColorModeId.PaletteClassic },
    thresholds: thresholds(s.redAbove),
    custom: { ...custom },
  }, { ...options });
}

export function stat(s: PanelSpec): PanelDraft {
  const options: StatOptions = {
    reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
    orientation: VizOrientation.Auto,
    textMode: BigValueTextMode.Auto,
    colorMode: s.redAbove === undefined ? BigValueColorMode.None : BigValueColorMode.Value,
    graphMode: BigValueGraphMode.Area,
    justifyMode: BigValueJustifyMode.Auto,
    showPercentChange: false,
    percentChangeColorMode: PercentChangeColorMode.Standard,
    wideLayout: true,
  };
  return draft(s, 'stat', { width: s.width ?? 6, height: 4 }, {
    unit: s.unit,
    ...(s.min === undefined ? {} : { min: s.min }),
    color: { mode: FieldColorModeId.Thresholds },
    thresholds: thresholds(s.redAbove),
  }, { ...options });
}

/** A p50 and a p99 of one Prometheus histogram, `by` its labels (besides `le`), over `$__rate_interval`. */
export function quantiles(metric: string, selector: string, by: string[] = []): Query[] {
  const labels = ['le', ...by].join(', ');
  const prefix = by.map((l) => `{{${l}}} `).join('');
  return [0.5, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (${labels}) (rate(${metric}_bucket${selector}[$__rate_interval])))`,
    legend: `${prefix}p${q * 100}`,
  }));
}

const datasourceVariable: VariableModel = {
  type: 'datasource',
  name: 'datasource',
  label: 'Data source',
  query: 'prometheus',
  current: { text: 'Prometheus', value: PROVISIONED_DATASOURCE_UID },
  hide: VariableHide.dontHide,
  refresh: VariableRefresh.onDashboardLoad,
  regex: '',
  options: [],
};

/** A multi-value variable over one label of a metric (`label_values`), "All" by default. */
export function labelVariable(name: string, label: string, metric: string): VariableModel {
  const query = `label_values(${metric}, ${name})`;
  return {
    type: 'query',
    name,
    label,
    datasource: DATASOURCE,
    query: { qryType: 1, query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    current: { text: 'All', value: '$__all' },
    includeAll: true,
    allValue: '.*',
    multi: true,
    hide: VariableHide.dontHide,
    refresh: VariableRefresh.onTimeRangeChanged,
    sort: VariableSort.alphabeticalAsc,
    regex: '',
    options: [],
  };
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables?: VariableModel[];
  rows: { title: string; panels: PanelDraft[] }[];
}

/** Lays the rows out on Grafana's 24-column grid, left to right, each row below the last. */
export function dashboard(spec: DashboardSpec): Dashboard {
  const panels: (Panel | RowPanel)[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({ type: 'row', id: id++, title: row.title, collapsed: false, panels: [], gridPos: { x: 0, y: y++, w: 24, h: 1 } });
    let x = 0;
    let rowHeight = 0;
    for (const draft of row.panels) {
      if (x + draft.width > 24) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      panels.push({ ...draft.panel, id: id++, gridPos: { x, y, w: draft.width, h: draft.height } });
      x += draft.width;
      rowHeight = Math.max(rowHeight, draft.height);
    }
    y += rowHeight;
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['dialoop'],
    editable: false,
    graphTooltip: DashboardCursorSync.Crosshair,
    schemaVersion: defaultDashboard.schemaVersion!,
    time: { from: 'now-1h', to: 'now' },
    timezone: 'browser',
    refresh: '30s',
    fiscalYearStartMonth: 0,
    links: [{ title: 'Dialoop', type: 'dashboards', tags: ['dialoop'], asDropdown: true, icon: 'external link', includeVars: false, keepTime: true, targetBlank: false, tooltip: '' }],
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    templating: { list: [datasourceVariable, ...(spec.variables ?? [])] },
    panels,
  };
}
