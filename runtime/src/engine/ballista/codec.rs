//! The logical codec Yardstick's plans travel to a Ballista scheduler in.
//! It is Ballista's own, plus in-memory tables (`MemTable`: the `given`
//! rows of `yardstick test`), which DataFusion's codec refuses: their
//! batches are carried as an Arrow IPC stream. Files (ListingTables) and
//! literal rows (`VALUES`, such as a series' periods) serialise without it.

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::ipc::reader::StreamReader;
use datafusion::arrow::ipc::writer::StreamWriter;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::TableProvider;
use datafusion::common::{DataFusionError, Result, TableReference};
use datafusion::datasource::file_format::FileFormatFactory;
use datafusion::datasource::MemTable;
use datafusion::execution::TaskContext;
use datafusion::logical_expr::{Extension, LogicalPlan};
use datafusion_proto::logical_plan::LogicalExtensionCodec;
use std::sync::Arc;

/// The first bytes of a table this codec wrote.
const MEMORY_TABLE: &[u8] = b"yardstick-memtable-1\n";

#[derive(Debug, Default)]
pub struct YardstickCodec {
    ballista: ballista_core::serde::BallistaLogicalExtensionCodec,
}

impl LogicalExtensionCodec for YardstickCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[LogicalPlan],
        ctx: &TaskContext,
    ) -> Result<Extension> {
        self.ballista.try_decode(buf, inputs, ctx)
    }

    fn try_encode(&self, node: &Extension, buf: &mut Vec<u8>) -> Result<()> {
        self.ballista.try_encode(node, buf)
    }

    fn try_decode_table_provider(
        &self,
        buf: &[u8],
        table_ref: &TableReference,
        schema: SchemaRef,
        ctx: &TaskContext,
    ) -> Result<Arc<dyn TableProvider>> {
        match buf.strip_prefix(MEMORY_TABLE) {
            Some(ipc) => Ok(Arc::new(decode_memory_table(ipc, schema)?)),
            None => self
                .ballista
                .try_decode_table_provider(buf, table_ref, schema, ctx),
        }
    }

    fn try_encode_table_provider(
        &self,
        table_ref: &TableReference,
        node: Arc<dyn TableProvider>,
        buf: &mut Vec<u8>,
    ) -> Result<()> {
        match node.downcast_ref::<MemTable>() {
            Some(table) => encode_memory_table(table, buf),
            None => self
                .ballista
                .try_encode_table_provider(table_ref, node, buf),
        }
    }

    fn try_decode_file_format(
        &self,
        buf: &[u8],
        ctx: &TaskContext,
    ) -> Result<Arc<dyn FileFormatFactory>> {
        self.ballista.try_decode_file_format(buf, ctx)
    }

    fn try_encode_file_format(
        &self,
        buf: &mut Vec<u8>,
        node: Arc<dyn FileFormatFactory>,
    ) -> Result<()> {
        self.ballista.try_encode_file_format(buf, node)
    }
}

/// The table's batches, all partitions in order, as one IPC stream.
fn encode_memory_table(table: &MemTable, buf: &mut Vec<u8>) -> Result<()> {
    let mut batches: Vec<RecordBatch> = Vec::new();
    for partition in &table.batches {
        // Our tables are filled once, before planning; a table being
        // written to is refused rather than waited for.
        let rows = partition.try_read().map_err(|_| {
            DataFusionError::Internal("an in-memory table is being written to".to_owned())
        })?;
        batches.extend(rows.iter().cloned());
    }
    buf.extend_from_slice(MEMORY_TABLE);
    let mut writer = StreamWriter::try_new(&mut *buf, &table.schema())?;
    for batch in &batches {
        writer.write(batch)?;
    }
    writer.finish()?;
    Ok(())
}

fn decode_memory_table(ipc: &[u8], schema: SchemaRef) -> Result<MemTable> {
    let reader = StreamReader::try_new(ipc, None)?;
    let batches = reader.collect::<std::result::Result<Vec<_>, _>>()?;
    MemTable::try_new(schema, vec![batches])
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int64Array, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::prelude::SessionContext;

    #[test]
    fn memory_tables_come_back_with_their_rows() -> Result<()> {
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int64, true),
            Field::new("s", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(vec![Some(1), None, Some(3)])),
                Arc::new(StringArray::from(vec![Some("a"), Some("b"), None])),
            ],
        )?;
        let table: Arc<dyn TableProvider> = Arc::new(MemTable::try_new(
            schema.clone(),
            vec![vec![batch.clone()]],
        )?);
        let codec = YardstickCodec::default();
        let name = TableReference::bare("t");
        let mut buf = Vec::new();
        codec.try_encode_table_provider(&name, table, &mut buf)?;
        let ctx = SessionContext::new();
        let back = codec.try_decode_table_provider(&buf, &name, schema, &ctx.task_ctx())?;
        let back = back
            .downcast_ref::<MemTable>()
            .ok_or_else(|| DataFusionError::Internal("not a MemTable".into()))?;
        let rows = back.batches[0]
            .try_read()
            .map(|b| b.clone())
            .unwrap_or_default();
        assert_eq!(rows, vec![batch]);
        Ok(())
    }
}
