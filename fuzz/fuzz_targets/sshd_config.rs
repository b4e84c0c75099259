#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The input is also every file it may Include (loops must end).
    let root = icvsec_linux::MemRoot::new()
        .with("/etc/ssh/sshd_config", data)
        .with("/etc/ssh/sshd_config.d/a.conf", data)
        .with("/etc/ssh/extra.conf", data);
    let _ = icvsec_linux::sshd::parse_sshd_config("/etc/ssh/sshd_config", data, &root);
});
