//! "Did you mean ...?": the closest known name to a misspelt one.

/// The candidate nearest to `name`, if it is near enough to be a typo.
pub fn did_you_mean<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    candidates
        .filter(|c| *c != name)
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c.to_owned())
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
    }
}
