#![no_main]
//! sshd `Include` and nginx `include` glob expansion over a small in-memory root with
//! links (loops, dangling, absolute and `..` targets): the input is the pattern.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(pattern) = std::str::from_utf8(data) else {
        return;
    };
    let tree = icvsec_fs::MemTree::new()
        .file("etc/ssh/sshd_config.d/a.conf", b"PermitRootLogin no\n")
        .file("etc/ssh/sshd_config.d/b.conf", b"Include /etc/ssh/sshd_config.d/*.conf\n")
        .link("etc/ssh/sshd_config.d/loop", "loop")
        .link("etc/ssh/sshd_config.d/up", "../../../../..")
        .link("etc/ssh/sshd_config.d/abs", "/etc/ssh")
        .link("etc/ssh/sshd_config.d/dangling", "/nowhere")
        .fifo("etc/ssh/sshd_config.d/fifo.conf");
    let root = icvsec_linux::DirRoot::within(std::sync::Arc::new(tree), Vec::new());
    let _ = icvsec_linux::common::glob_paths(&root, pattern, 64);
    let config = format!("Include {pattern}\n");
    let _ = icvsec_linux::sshd::parse_sshd_config("/etc/ssh/sshd_config", config.as_bytes(), &root);
});
