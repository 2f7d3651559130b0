//! "Did you mean ...?": the closest known name to a misspelt one.

/// The candidate nearest to `name`, if it is near enough to be a typo:
/// similar by Jaro-Winkler, or a letter or two away (a swap counts as one,
/// so `nsp` finds `nps`).
pub fn did_you_mean<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let edits = (name.chars().count() / 4).max(1);
    candidates
        .filter(|c| *c != name)
        .map(|c| {
            (
                strsim::osa_distance(name, c),
                strsim::jaro_winkler(name, c),
                c,
            )
        })
        .filter(|(distance, score, _)| *score >= 0.8 || *distance <= edits)
        .min_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| b.1.total_cmp(&a.1))
                .then_with(|| a.2.cmp(b.2))
        })
        .map(|(_, _, c)| c.to_owned())
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn finds_typos_and_ignores_strangers() {
        let names = ["tickets", "surveys", "accounts"];
        assert_eq!(
            did_you_mean("tickts", names.iter().copied()).as_deref(),
            Some("tickets")
        );
        assert_eq!(did_you_mean("zzz", names.iter().copied()), None);
        assert_eq!(
            did_you_mean("nsp", ["nps", "fcr"].into_iter()).as_deref(),
            Some("nps")
        );
    }
}
