export { type Diagram, makeDiagram, childrenOf, tieClassOf, rootIsTied } from "./diagram.js";
export { canonicalize, canonicalKey, automorphismCount, CANONICAL_FORMAT, type CanonicalDiagram } from "./canonical.js";
export { enumerateDiagrams, MAX_ENUMERATION_ORDER, type EnumerateOptions } from "./enumerate.js";
export { diagramCoefficient, embeddingWeight, edgeWeightOf, familyParameters, type LossKind } from "./coefficient.js";
export {
  type Schedule,
  type SgdSchedule,
  type GdSchedule,
  type CustomSchedule,
  sgdSchedule,
  gdSchedule,
  customSchedule,
  stepCount,
  explicitBatches,
} from "../schedule/schedule.js";
export { toRecord, valueExpression, type DiagramRecord } from "./format.js";
export { diagramStructure, type DiagramStructure } from "./structure.js";
export { coefficientTable, type CoefficientTableOptions } from "./table.js";
export { diagramPolynomial, symbolicForm, symbolicValues, type SymbolicVariables } from "./symbolic.js";
export { crossingKey } from "./crossing.js";
export { coefficientTableCost, DEFAULT_TABLE_OPERATIONS, type TableCost } from "./cost.js";
