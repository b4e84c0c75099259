//! Issue 16's contract, checked by running it: inputs are read and parsed at load; the
//! checks are pure queries over what was loaded. Evaluating a loaded build whose file
//! tree and host root have been taken away must give the very same report.

use crate::common::{catalog, fixtures, load_options, scan_options};
use icvsec_engine::evaluate;

fn no_check_opens_a_file(build: &str) {
    let root = fixtures().join(build);
    let rules = catalog();
    let registry = icvsec_checks::registry();
    let opts = scan_options(&root);
    let inv = icvsec_inputs::load_build(&root, &load_options(&root));
    let with_files = evaluate(&inv, &rules, &registry, &opts);
    // Same inventory, but nothing left to read: an empty tree and a root that is not there.
    let mut sealed = inv;
    sealed.tree = icvsec_inputs::inventory::SharedTree::default();
    sealed.root = std::path::PathBuf::from("/nonexistent/icvsec-sealed-build");
    let without = evaluate(&sealed, &rules, &registry, &opts);
    assert!(
        with_files.findings.len() > 100,
        "{build}: {} findings",
        with_files.findings.len()
    );
    for (a, b) in with_files.findings.iter().zip(&without.findings) {
        assert_eq!(a, b, "{build}: a check read the build at evaluation time");
    }
    assert_eq!(with_files.findings.len(), without.findings.len(), "{build}");
    assert_eq!(with_files, without, "{build}");
}

#[test]
fn no_check_opens_a_file_on_the_demo_vehicle() {
    // Linux, Android and OpenWrt root filesystems, an ext4 and an Android sparse image,
    // nginx/openssl/mbedTLS configurations, certificates, update packages, ARXML/DBC.
    no_check_opens_a_file("demo-vehicle");
}

#[test]
fn no_check_opens_a_file_on_the_zonal_vehicle() {
    no_check_opens_a_file("zonal-vehicle");
}
