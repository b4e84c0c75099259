//! openssl.cnf loading: .include (file, directory, relative), loops, root confinement.

mod common;
use common::{tmp_root, write};

use icvsec_tls::openssl_conf;
use std::fs;
use std::path::{Path, PathBuf};

#[test]
fn includes_and_chain() {
    let root = tmp_root("inc");
    write(
        &root,
        "etc/ssl/openssl.cnf",
        "openssl_conf = init\n.include tls.d/ssl.cnf\n[init]\nssl_conf = ssl\n.include = /etc/ssl/more\n",
    );
    write(
        &root,
        "etc/ssl/tls.d/ssl.cnf",
        "[ssl]\nsystem_default = sd\n",
    );
    write(
        &root,
        "etc/ssl/more/20-b.cnf",
        "[sd]\nCipherString = HIGH\n",
    );
    write(
        &root,
        "etc/ssl/more/10-a.cnf",
        "[sd]\nMinProtocol = TLSv1.3\nCipherString = DEFAULT\n",
    );
    write(
        &root,
        "etc/ssl/more/ignored.txt",
        "garbage without equal sign\n",
    );
    let c = openssl_conf::load(&root, Path::new("/etc/ssl/openssl.cnf")).unwrap();
    assert_eq!(c.files.len(), 4);
    let sd = c.system_default.unwrap();
    let cs = sd.cipher_string.unwrap();
    assert_eq!(cs.value, "HIGH", "later file wins");
    assert_eq!(cs.at.unwrap().file, PathBuf::from("/etc/ssl/more/20-b.cnf"));
    assert_eq!(sd.min_protocol.unwrap().at.unwrap().line, 2);
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn include_errors() {
    let root = tmp_root("err");
    write(
        &root,
        "etc/ssl/openssl.cnf",
        "a = 1\n.include /etc/ssl/b.cnf\n",
    );
    write(&root, "etc/ssl/b.cnf", "\n.include /etc/ssl/openssl.cnf\n");
    let e = openssl_conf::load(&root, Path::new("/etc/ssl/openssl.cnf")).unwrap_err();
    assert!(e.message.contains("loop"), "{e}");
    assert_eq!((e.file.as_path(), e.line), (Path::new("/etc/ssl/b.cnf"), 2));
    write(
        &root,
        "etc/ssl/openssl.cnf",
        "a = 1\n\n.include ../../../../../x.cnf\n",
    );
    let e = openssl_conf::load(&root, Path::new("/etc/ssl/openssl.cnf")).unwrap_err();
    assert_eq!(e.line, 3);
    write(
        &root,
        "etc/ssl/openssl.cnf",
        ".include /etc/ssl/missing.cnf\n",
    );
    let e = openssl_conf::load(&root, Path::new("/etc/ssl/openssl.cnf")).unwrap_err();
    assert_eq!(e.line, 1);
    fs::remove_dir_all(&root).unwrap();
}
