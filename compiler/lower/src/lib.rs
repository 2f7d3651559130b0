//! Lowering metrics to DataFusion logical plans.
