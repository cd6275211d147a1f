export { enumerateRootedTrees, countRootedTrees, levelSequenceToParents } from "./rootedTrees.js";
export { enumerateSetPartitions, enumerateOrderedPartitions, enumeratePermutations } from "./setPartitions.js";
export { canonicalColouredTree, type ColouredTreeCanon } from "./canonical.js";
