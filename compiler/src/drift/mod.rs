//! Formula drift (LANGUAGE.md §7): canonical meanings, fingerprints, the
//! lock file, and the check of a library against its lock.

pub mod canonical;
pub mod diff;
pub mod fingerprint;
pub mod lockfile;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::Library;
use lockfile::Lock;

/// The library against its lock: a changed meaning at the same version, a
/// version that went down, a locked metric removed without deprecation.
pub fn check(library: &Library, lock: &Lock, diags: &mut Diagnostics) {
    let prints = fingerprint::fingerprints(library);
    for (name, locked) in lock {
        let Some(metric) = library.metrics.get(name) else {
            if !locked.deprecated {
                diags.push(
                    Diagnostic::error(
                        Code::DriftRemoved,
                        locked.span,
                        format!("metric `{name}` was removed without being deprecated first"),
                    )
                    .label("locked here")
                    .help(format!(
                        "restore `{name}` with `deprecated: true` and run `yardstick lock`; remove it in a later change"
                    )),
                );
            }
            continue;
        };
        let Some((_, print)) = prints.get(name) else {
            continue;
        };
        if metric.version < locked.version {
            diags.push(
                Diagnostic::error(
                    Code::DriftVersionDown,
                    metric.span,
                    format!(
                        "metric `{name}` is at version {} but was locked at version {}",
                        metric.version, locked.version
                    ),
                )
                .label("version went down")
                .with_secondary(locked.span, "locked here")
                .help(format!(
                    "versions only go up: use version {} or higher",
                    locked.version + 1
                )),
            );
        } else if metric.version == locked.version && *print != locked.fingerprint {
            diags.push(
                Diagnostic::error(
                    Code::Drift,
                    metric.span,
                    format!(
                        "the meaning of `{name}` changed, but its version is still {}",
                        metric.version
                    ),
                )
                .label("formula drift")
                .with_secondary(locked.span, "locked with another meaning")
                .help(format!(
                    "bump `version` to {} and add a `changelog` line saying what changed, or revert the change",
                    metric.version + 1
                )),
            );
        }
    }
}

/// The lock file text for a library.
pub fn lock_text(library: &Library) -> String {
    let prints = fingerprint::fingerprints(library);
    lockfile::render(library.metrics.values().filter_map(|m| {
        prints
            .get(&m.name)
            .map(|(_, fp)| (m.name.as_str(), m.version, fp.as_str(), m.deprecated))
    }))
}
