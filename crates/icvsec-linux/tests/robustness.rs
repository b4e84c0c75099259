//! Every parser on pseudo-random and mutated input: returns Ok or an error naming the file,
//! never panics. Deterministic (fixed-seed xorshift), no timing assertions.

use icvsec_linux::common::MemRoot;
use icvsec_linux::{
    android, android_capture, android_rc, firewall, inetd, initscripts, inittab, kconfig, lighttpd,
    listeners, passwd, sshd, sysctl, systemd, uci, versions, wifi,
};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    " ",
    "\t",
    "\n",
    "\r\n",
    "=",
    ":",
    ";",
    "#",
    "\"",
    "'",
    "\\",
    "{",
    "}",
    "[",
    "]",
    "*",
    "?",
    "!",
    ",",
    "-",
    "+",
    "^",
    "/",
    ".",
    "0",
    "1",
    "65536",
    "y",
    "m",
    "is not set",
    "CONFIG_",
    "CONFIG_DEVMEM",
    "Include",
    "Match",
    "User",
    "all",
    "PermitRootLogin",
    "Ciphers",
    "yes",
    "no",
    "root",
    "x",
    "$6$",
    "$1$",
    "table",
    "chain",
    "inet",
    "filter",
    "hook",
    "input",
    "policy",
    "drop",
    "accept",
    "*filter",
    ":INPUT",
    "-A",
    "-j",
    "DROP",
    "COMMIT",
    "ro.secure",
    "import",
    "kernel.kptr_restrict",
    "config",
    "option",
    "list",
    "package",
    "telnetd",
    "-l",
    "/bin/sh",
    "-p",
    "::respawn:",
    "service",
    "on boot",
    "start",
    "disabled",
    "[Socket]",
    "ListenStream",
    "$SERVER[\"socket\"] ==",
    "include",
    "server.port",
    "androidboot.",
    "]: [",
    "wps_state",
    "Package:",
    "Version:",
    "\u{00e9}",
    "\u{0000}",
    "\u{00ff}",
];

fn sample(rng: &mut Rng) -> Vec<u8> {
    let n = rng.below(200);
    let mut s = Vec::new();
    for _ in 0..n {
        if rng.below(20) == 0 {
            s.push((rng.next() & 0xff) as u8);
        } else {
            s.extend_from_slice(TOKENS[rng.below(TOKENS.len())].as_bytes());
        }
    }
    s
}

#[test]
fn parsers_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let root = MemRoot::new()
        .with("/etc/ssh/a.conf", "Include b.conf\n")
        .with("/etc/ssh/b.conf", "Include a.conf\n");
    let label = "input-file";
    for _ in 0..3000 {
        let b = sample(&mut rng);
        let checks: Vec<Option<icvsec_linux::ParseError>> = vec![
            sshd::parse_sshd_config(label, &b, &root).err(),
            passwd::parse_passwd(label, &b).err(),
            passwd::parse_shadow(label, &b).err(),
            kconfig::parse_kconfig_any(label, &b).err(),
            android::parse_props(label, &b).err(),
            sysctl::parse_sysctl(label, &b).err(),
            firewall::parse_iptables_save(label, &b, "ip").err(),
            firewall::parse_nftables(label, &b).err(),
            firewall::parse_ruleset(label, &b).err(),
        ];
        for e in checks.into_iter().flatten() {
            assert!(
                e.file == label || e.file.starts_with("/etc/ssh/"),
                "error without file: {e:?}"
            );
            assert!(!e.message.is_empty());
        }
        let more: Vec<Option<icvsec_linux::ParseError>> = vec![
            uci::parse_uci(label, &b).err(),
            inetd::parse_inetd(label, &b).err(),
            inittab::parse_inittab(label, &b).err(),
            initscripts::scan_script(label, &b).err(),
            systemd::parse_unit(label, &b).err(),
            android_capture::parse_getprop(label, &b).err(),
            android_capture::parse_cmdline(label, &b).err(),
            android_capture::parse_bootconfig(label, &b).err(),
            android_rc::RcFiles::default().add_file(label, &b).err(),
            wifi::parse_kv(label, &b).err(),
            versions::parse_status(label, &b).err(),
        ];
        for e in more.into_iter().flatten() {
            assert_eq!(e.file, label, "{e:?}");
            assert!(!e.message.is_empty());
        }
        if let Ok(f) = uci::parse_uci(label, &b) {
            let _ = (
                uci::check_firewall(&f),
                uci::check_dropbear(&f),
                uci::check_uhttpd(&f),
                uci::check_remote_commands(&f),
            );
        }
        // A whole root made of this input in every file the inventory reads.
        let hostile = MemRoot::new()
            .with("/etc/config/dropbear", &b)
            .with("/etc/config/uhttpd", &b)
            .with("/etc/inetd.conf", &b)
            .with("/etc/inittab", &b)
            .with("/etc/init.d/x", &b)
            .with("/etc/lighttpd/lighttpd.conf", &b)
            .with("/etc/systemd/system/multi-user.target.wants/x.service", "")
            .with("/lib/systemd/system/x.service", &b);
        let inv = listeners::listener_inventory(&hostile);
        let _ = lighttpd::load_lighttpd(&hostile, "/etc/lighttpd/lighttpd.conf");
        let _ = versions::detect_versions(&hostile);
        assert!(inv.files.len() <= 16);
        // Effective config of whatever parsed must not panic either.
        if let Ok(c) = sshd::parse_sshd_config(label, &b, &root) {
            let _ = c.effective();
        }
    }
}
