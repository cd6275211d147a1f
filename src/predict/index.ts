/** Predictions: diagram coefficients × diagram values on a landscape. */
export { exactDiagramValue } from "./exactValue.js";
export { exactSeries, type ExactSeriesResult, type SeriesTerm } from "./exactSeries.js";
