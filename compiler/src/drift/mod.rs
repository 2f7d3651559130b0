//! Formula drift (LANGUAGE.md §7): canonical meanings, fingerprints, the
//! lock file, and the check of a library against its lock.

pub mod canonical;
pub mod diff;
pub mod fingerprint;
pub mod lockfile;
pub mod rules;

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
                    Diagnostic::error(Code::DriftRemoved, locked.span, rules::removed(name))
                        .label("locked here")
                        .help(rules::removed_help(name)),
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
                    rules::version_down(name, locked.version, metric.version),
                )
                .label("version went down")
                .with_secondary(locked.span, "locked here")
                .help(rules::version_down_help(locked.version)),
            );
        } else if metric.version == locked.version && *print != locked.fingerprint {
            diags.push(
                Diagnostic::error(
                    Code::Drift,
                    metric.span,
                    rules::meaning_changed(name, metric.version),
                )
                .label("formula drift")
                .with_secondary(locked.span, "locked with another meaning")
                .help(rules::meaning_changed_help(metric.version)),
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
