//! The README's rule catalog is generated from the catalog; this test keeps it current
//! (regenerate with `ICVSEC_UPDATE=1 cargo test --test integration readme`).

use crate::common::{catalog, repo};
use icvsec_model::Area;

fn catalog_table() -> String {
    let rules = catalog();
    let automated = rules.iter().filter(|r| !r.is_manual()).count();
    let mut out = format!(
        "{} rules ({automated} automated, {} manual), by area of the standards system:\n",
        rules.len(),
        rules.len() - automated
    );
    for area in Area::ALL {
        let mut in_area: Vec<_> = rules.iter().filter(|r| r.area == area).collect();
        if in_area.is_empty() {
            continue;
        }
        in_area.sort_by(|a, b| (&a.subarea, &a.id).cmp(&(&b.subarea, &b.id)));
        out.push_str(&format!(
            "\n**{} (`{}`)** — {} rules\n\n",
            area.title(),
            area.slug(),
            in_area.len()
        ));
        out.push_str("| rule | severity | sub-area | title | cites |\n|---|---|---|---|---|\n");
        for r in in_area {
            let cites: Vec<String> = r
                .references
                .iter()
                .map(|x| format!("{} {}", x.standard, x.clause))
                .take(2)
                .collect();
            out.push_str(&format!(
                "| [{}](docs/rules.md#{}) | {} | {} | {} | {} |\n",
                r.id,
                r.id.to_ascii_lowercase(),
                r.severity,
                r.subarea,
                r.title.replace('|', "\\|"),
                cites.join("; ").replace('|', "\\|")
            ));
        }
    }
    out
}

#[test]
fn readme_catalog_is_current() {
    let path = repo().join("README.md");
    let text = std::fs::read_to_string(&path).expect("README.md");
    let begin = text
        .find("<!-- catalog:begin")
        .expect("catalog begin marker");
    let begin_end = begin + text[begin..].find("-->").expect("marker end") + 3;
    let end = text
        .find("<!-- catalog:end -->")
        .expect("catalog end marker");
    let want = format!("\n{}", catalog_table());
    let have = &text[begin_end..end];
    if have != want {
        if std::env::var_os("ICVSEC_UPDATE").is_some() {
            let new = format!("{}{}{}", &text[..begin_end], want, &text[end..]);
            std::fs::write(&path, new).expect("write README.md");
        } else {
            panic!(
                "README catalog is stale: regenerate with ICVSEC_UPDATE=1 cargo test --test integration readme"
            );
        }
    }
}
