//! `yardstick explain`: the logical plan, the optimised physical plan, and
//! with `--sql` the SQL a warehouse can run.

use super::query::checked;
use crate::cli::ExplainCommand;
use crate::report::Style;
use crate::{query, Exit, Fatal};
use datafusion::physical_plan::displayable;

pub fn run(args: &ExplainCommand, style: Style) -> Result<Exit, Fatal> {
    let (session, request) = match checked("explain", &args.query, style)? {
        Ok(checked) => checked,
        Err(outcome) => return Ok(outcome),
    };
    let engine = args.engine.chosen()?;
    let text = session.block_on(async {
        let prepared = query::prepare(&session.spec, session.library(), &request, &engine).await?;
        let plan = &prepared.lowered.plan;
        let state = prepared.ctx.state();
        let optimized = state
            .optimize(plan)
            .map_err(|e| Fatal(format!("the plan could not be optimised: {e}")))?;
        let physical = state
            .create_physical_plan(plan)
            .await
            .map_err(|e| Fatal(format!("the plan could not be made physical: {e}")))?;
        let mut text = format!(
            "== logical plan\n{}\n\n== optimised logical plan\n{}\n\n== physical plan\n{}",
            plan.display_indent(),
            optimized.display_indent(),
            displayable(physical.as_ref()).indent(true)
        );
        if args.sql {
            text.push_str(&format!(
                "\n== sql ({:?})\n{};\n",
                args.dialect,
                crate::sql::write(&optimized, args.dialect)?
            ));
        }
        Ok::<_, Fatal>(text)
    })??;
    crate::stdio::print(&text)?;
    Ok(Exit::Ok)
}
