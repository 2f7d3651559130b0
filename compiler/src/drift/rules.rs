//! The drift rules, worded once: `check` (against the lock) and `diff`
//! (against a base library) say the same thing the same way.

/// A metric whose meaning moved at the same version.
pub fn meaning_changed(metric: &str, version: u32) -> String {
    format!("the meaning of `{metric}` changed, but its version is still {version}")
}

pub fn meaning_changed_help(version: u32) -> String {
    format!(
        "bump `version` to {} and add a `changelog` line saying what changed, or revert the change",
        version + 1
    )
}

/// A metric whose version went down.
pub fn version_down(metric: &str, was: u32, now: u32) -> String {
    format!("the version of `{metric}` went down from {was} to {now}")
}

pub fn version_down_help(was: u32) -> String {
    format!("versions only go up: use version {} or higher", was + 1)
}

/// A metric removed while it was not deprecated.
pub fn removed(metric: &str) -> String {
    format!("metric `{metric}` was removed without being deprecated first")
}

pub fn removed_help(metric: &str) -> String {
    format!(
        "restore `{metric}` with `deprecated: true`, lock or merge that, and remove it in a later change"
    )
}
