//! The exact `percentile(x, p)` and `median(x)` aggregates (LANGUAGE.md §6):
//! linear interpolation between the two nearest values, as SQL's
//! `percentile_cont`.
//!
//! This module owns the DataFusion user-defined aggregate `percentile` that
//! both lower to. DataFusion's own `percentile_cont` rounds the interpolation
//! weight to steps of 1e-6 and panics when a high-cardinality `GROUP BY`
//! makes it skip partial aggregation, so Yardstick computes its own.
//!
//! The aggregate takes two arguments, `percentile(x, p)`: `x` is a `Float64`
//! column and `p` a `Float64` literal in `[0, 1]`, so plans print it as
//! `percentile(CAST(x AS Float64), Float64(0.9))`. It keeps every non-null
//! value of `x` (its partial state is the list of them) and, with `n` values
//! in order, `h = (n - 1) * p`, returns
//! `x[floor(h)] + (h - floor(h)) * (x[ceil(h)] - x[floor(h)])`: `null` when
//! there are no values. Values are ordered by `f64::total_cmp`.

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Array, Float64Builder, ListArray,
};
use datafusion::arrow::buffer::{OffsetBuffer, ScalarBuffer};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::{internal_datafusion_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    cast, lit, Accumulator, AggregateUDF, AggregateUDFImpl, ColumnarValue, EmitTo, Expr,
    GroupsAccumulator, Signature, Volatility,
};
use std::sync::{Arc, LazyLock};

/// The name of the aggregate in plans (and in unparsed SQL, where
/// `yardstick explain --sql` rewrites it to `percentile_cont`).
pub const NAME: &str = "percentile";

/// `percentile(x, p)`: the exact `p`-th percentile of the non-null values of
/// `x`, interpolated linearly. `x` may be any numeric expression; it is cast
/// to `Float64` here. `p` must be in `[0, 1]` (the compiler checks it;
/// otherwise running the plan fails with a plan error).
pub fn percentile(x: Expr, p: f64) -> Expr {
    percentile_udaf().call(vec![cast(x, DataType::Float64), lit(p)])
}

/// `median(x)`: `percentile(x, 0.5)`.
pub fn median(x: Expr) -> Expr {
    percentile(x, 0.5)
}

/// The shared instance of the aggregate.
pub fn percentile_udaf() -> Arc<AggregateUDF> {
    static UDAF: LazyLock<Arc<AggregateUDF>> =
        LazyLock::new(|| Arc::new(AggregateUDF::new_from_impl(Percentile::new())));
    Arc::clone(&UDAF)
}

/// The exact `p`-th percentile of `values` (reordering them), or `None`
/// when there are none. The same as sorting and interpolating between
/// `x[floor(h)]` and `x[ceil(h)]`, but selects the two in linear time.
pub fn exact_percentile(values: &mut [f64], p: f64) -> Option<f64> {
    let last = values.len().checked_sub(1)?;
    let h = last as f64 * p;
    // With p in [0, 1], 0 <= lo <= hi <= n - 1; the clamps keep that for any p.
    let lo = (h.floor().max(0.0) as usize).min(last);
    let hi = (h.ceil().max(0.0) as usize).min(last);
    let (_, low, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let low = *low;
    let weight = h - lo as f64;
    if hi == lo || weight == 0.0 {
        return Some(low);
    }
    // hi = lo + 1: the smallest value above position lo.
    let high = *above.iter().min_by(|a, b| a.total_cmp(b))?;
    Some(low + weight * (high - low))
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Percentile {
    signature: Signature,
}

impl Percentile {
    fn new() -> Self {
        Self {
            signature: Signature::exact(
                vec![DataType::Float64, DataType::Float64],
                Volatility::Immutable,
            ),
        }
    }
}

/// `p` from the second argument, which must be a literal in `[0, 1]`.
fn percentile_argument(args: &AccumulatorArgs) -> Result<f64> {
    let Some(expr) = args.exprs.get(1) else {
        return plan_err!("{NAME} needs two arguments, x and p");
    };
    let empty = RecordBatch::new_empty(Arc::new(Schema::empty()));
    let value = match expr.evaluate(&empty) {
        Ok(ColumnarValue::Scalar(v)) => v,
        _ => return plan_err!("{NAME}'s p must be a literal, not {expr}"),
    };
    match value {
        ScalarValue::Float64(Some(p)) if (0.0..=1.0).contains(&p) => Ok(p),
        other => plan_err!("{NAME}'s p must be a number from 0 to 1, not {other}"),
    }
}

impl AggregateUDFImpl for Percentile {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "values"),
            list_type(),
            true,
        ))])
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(PercentileAccumulator {
            p: percentile_argument(&args)?,
            values: Vec::new(),
        }))
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(
        &self,
        args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(PercentileGroups {
            p: percentile_argument(&args)?,
            groups: Vec::new(),
            held: 0,
        }))
    }
}

/// The state's type: a list of non-null `Float64` values.
fn list_type() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Float64, true)))
}

fn floats(array: &ArrayRef) -> Result<&Float64Array> {
    array.as_primitive_opt::<Float64Type>().ok_or_else(|| {
        internal_datafusion_err!("{NAME} expected Float64 values, got {}", array.data_type())
    })
}

fn lists(array: &ArrayRef) -> Result<&ListArray> {
    array.as_list_opt::<i32>().ok_or_else(|| {
        internal_datafusion_err!("{NAME} expected a list state, got {}", array.data_type())
    })
}

fn first(arrays: &[ArrayRef]) -> Result<&ArrayRef> {
    arrays
        .first()
        .ok_or_else(|| internal_datafusion_err!("{NAME} was given no arrays"))
}

/// A list array of one list per group, from the values of each.
fn list_array(groups: Vec<Vec<f64>>) -> Result<ArrayRef> {
    let lengths = groups.iter().map(Vec::len);
    let offsets = offsets(groups.len(), lengths)?;
    let values: Vec<f64> = groups.into_iter().flatten().collect();
    lists_from(offsets, values)
}

/// List offsets from the lengths of `count` lists.
fn offsets(count: usize, lengths: impl Iterator<Item = usize>) -> Result<Vec<i32>> {
    let mut offsets = Vec::with_capacity(count + 1);
    let mut end = 0i32;
    offsets.push(end);
    for len in lengths {
        end = i32::try_from(len)
            .ok()
            .and_then(|len| end.checked_add(len))
            .ok_or_else(|| internal_datafusion_err!("{NAME} holds too many values to pass on"))?;
        offsets.push(end);
    }
    Ok(offsets)
}

fn lists_from(offsets: Vec<i32>, values: Vec<f64>) -> Result<ArrayRef> {
    let list = ListArray::try_new(
        Arc::new(Field::new_list_field(DataType::Float64, true)),
        OffsetBuffer::new(ScalarBuffer::from(offsets)),
        Arc::new(Float64Array::from(values)),
        None,
    )?;
    Ok(Arc::new(list))
}

/// One group's values (no `GROUP BY`, or DataFusion's fallback).
#[derive(Debug)]
struct PercentileAccumulator {
    p: f64,
    values: Vec<f64>,
}

impl Accumulator for PercentileAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.values.extend(floats(first(values)?)?.iter().flatten());
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        for list in lists(first(states)?)?.iter().flatten() {
            self.values.extend(floats(&list)?.iter().flatten());
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let list = list_array(vec![std::mem::take(&mut self.values)])?;
        Ok(vec![ScalarValue::try_from_array(&list, 0)?])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Float64(exact_percentile(
            &mut self.values,
            self.p,
        )))
    }

    fn size(&self) -> usize {
        size_of_val(self) + self.values.capacity() * size_of::<f64>()
    }
}

/// The values of every group, by group index.
#[derive(Debug)]
struct PercentileGroups {
    p: f64,
    groups: Vec<Vec<f64>>,
    /// How many values `groups` holds, so `size` need not visit every group.
    held: usize,
}

impl PercentileGroups {
    fn group(&mut self, index: usize) -> Result<&mut Vec<f64>> {
        self.groups
            .get_mut(index)
            .ok_or_else(|| internal_datafusion_err!("{NAME} was given an unknown group {index}"))
    }

    /// Takes the groups `emit_to` asks for.
    fn take(&mut self, emit_to: EmitTo) -> Vec<Vec<f64>> {
        let taken = emit_to.take_needed(&mut self.groups);
        let count: usize = taken.iter().map(Vec::len).sum();
        self.held = self.held.saturating_sub(count);
        taken
    }
}

/// Whether row `i` passes the aggregate's `FILTER` (a null counts as false).
fn kept(filter: Option<&BooleanArray>, i: usize) -> bool {
    filter.is_none_or(|f| f.is_valid(i) && f.value(i))
}

impl GroupsAccumulator for PercentileGroups {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        let values = floats(first(values)?)?;
        self.groups.resize_with(total_num_groups, Vec::new);
        for (i, (&group, value)) in group_indices.iter().zip(values.iter()).enumerate() {
            if let Some(v) = value.filter(|_| kept(opt_filter, i)) {
                self.group(group)?.push(v);
                self.held += 1;
            }
        }
        Ok(())
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        let states = lists(first(values)?)?;
        self.groups.resize_with(total_num_groups, Vec::new);
        for (&group, list) in group_indices.iter().zip(states.iter()) {
            if let Some(list) = list {
                let list = floats(&list)?;
                self.group(group)?.extend(list.iter().flatten());
                self.held += list.len() - list.null_count();
            }
        }
        Ok(())
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        Ok(vec![list_array(self.take(emit_to))?])
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let groups = self.take(emit_to);
        let mut out = Float64Builder::with_capacity(groups.len());
        for mut values in groups {
            out.append_option(exact_percentile(&mut values, self.p));
        }
        Ok(Arc::new(out.finish()))
    }

    /// Each row becomes its own state: a list of its value, or an empty list
    /// when the value is null or filtered out.
    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let values = floats(first(values)?)?;
        let row = |i: usize| values.is_valid(i) && kept(opt_filter, i);
        let lengths = (0..values.len()).map(|i| usize::from(row(i)));
        let offsets = offsets(values.len(), lengths)?;
        let kept_values = (0..values.len())
            .filter(|&i| row(i))
            .map(|i| values.value(i))
            .collect();
        Ok(vec![lists_from(offsets, kept_values)?])
    }

    fn size(&self) -> usize {
        // Group vectors may hold spare capacity; this counts what they hold.
        size_of_val(self)
            + self.groups.capacity() * size_of::<Vec<f64>>()
            + self.held * size_of::<f64>()
    }
}
