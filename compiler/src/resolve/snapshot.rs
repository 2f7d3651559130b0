//! `snapshot: last|first [per COLUMN]` on a base metric (LANGUAGE.md §9):
//! checked against its source and time column, refused on a derived
//! metric (which has no rows of its own to pick from).

use super::metric::Draft;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::{Snapshot, Source};

/// The snapshot rule of a base metric: `Some(None)` without one, `None`
/// when it is written but does not hold (reported).
pub(super) fn check(
    draft: &Draft<'_>,
    source: &Source,
    time: Option<&str>,
    diags: &mut Diagnostics,
) -> Option<Option<Snapshot>> {
    let Some((keep, per, span)) = &draft.snapshot else {
        return Some(None);
    };
    let mut ok = true;
    if time.is_none() {
        diags.push(
            Diagnostic::error(
                Code::SnapshotNoTime,
                *span,
                format!(
                    "snapshot metric `{}` has no time column to find the newest rows by",
                    draft.name.name
                ),
            )
            .label("needs a time column")
            .help(format!(
                "give source `{}` a `time:` column, or set `time:` on the metric",
                source.name
            )),
        );
        ok = false;
    }
    if let Some(per) = per {
        if source.column(&per.name).is_none() {
            let mut d = Diagnostic::error(
                Code::Unresolved,
                per.span,
                format!("no column named `{}` in `{}`", per.name, source.name),
            )
            .label("unknown column");
            if let Some(s) = super::suggest::did_you_mean(
                &per.name,
                source.columns.iter().map(|c| c.name.as_str()),
            ) {
                d = d.help(format!("did you mean `{s}`?"));
            }
            diags.push(d);
            ok = false;
        }
    }
    ok.then(|| {
        Some(Snapshot {
            keep: *keep,
            per: per.as_ref().map(|p| p.name.clone()),
        })
    })
}

/// A derived metric reads only other metrics' values: a snapshot belongs
/// on its inputs.
pub(super) fn not_derived(draft: &Draft<'_>, diags: &mut Diagnostics) {
    if let Some((_, _, span)) = &draft.snapshot {
        diags.push(
            Diagnostic::error(
                Code::SnapshotDerived,
                *span,
                format!(
                    "derived metric `{}` cannot be a snapshot: it has no rows of its own",
                    draft.name.name
                ),
            )
            .label("only for metrics with `from`")
            .help("set `snapshot:` on the base metrics it reads; the derived metric combines their snapshot values"),
        );
    }
}
