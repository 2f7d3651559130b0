//! The static HTML catalog `yardstick docs --out DIR` writes: `index.html`
//! (outcomes; metrics by tier and by owner; a search box), one page per
//! metric under `metrics/`, and `style.css`. Pages link relatively and need
//! no server. The folder is written whole or not at all
//! (`outfile::write_dir`); it holds a marker file, [`MARKER`], so a later
//! run may replace it and no other folder.

pub mod charts;
pub mod pages;

use crate::Fatal;
use charts::Recent;
use std::collections::BTreeMap;
use std::path::Path;
use yardstick_compiler::model::Library;
use yardstick_compiler::span::SourceMap;

/// The file that marks a folder as a catalog Yardstick wrote.
pub const MARKER: &str = ".yardstick-catalog";

/// The catalog's files: each path relative to its folder, and its text.
pub fn files(
    library: &Library,
    sources: &SourceMap,
    spec: &str,
    charts: &BTreeMap<String, Recent>,
) -> Vec<(String, String)> {
    let mut out = vec![
        (
            MARKER.to_owned(),
            "A metric catalog written by `yardstick docs`; `yardstick docs --out` may replace this folder.\n"
                .to_owned(),
        ),
        ("style.css".to_owned(), pages::STYLE.to_owned()),
        ("index.html".to_owned(), pages::index(library, spec)),
    ];
    let none = Recent::Absent("not drawn: charts were not asked for (`--no-data`)".to_owned());
    for metric in library.metrics.values() {
        let recent = charts.get(&metric.name).unwrap_or(&none);
        out.push((
            pages::metric_path(&metric.name),
            pages::metric(library, sources, metric, recent),
        ));
    }
    out
}

/// Writes `files` as the folder `dir`, whole or not at all.
pub fn write(dir: &Path, files: &[(String, String)]) -> Result<(), Fatal> {
    let _writing = crate::guard::doing(format!("writing `{}`", dir.display()));
    crate::outfile::write_dir(dir, MARKER, |root| {
        for (path, text) in files {
            let path = root.join(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, text)?;
        }
        Ok(())
    })
}
