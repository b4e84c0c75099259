//! Parsers and hardening knowledge for the files of Linux and Android ECUs, as found in
//! the root filesystem of a vehicle build.
//!
//! Every parser takes bytes (or `&str`) plus a file label used in error messages, never
//! panics, bounds its input (file size, line length, line count) and returns owned serde
//! types carrying 1-based line numbers. Checks are pure functions returning [`Finding`]s.
//!
//! Nothing here reads the host filesystem on its own: files referenced by other files
//! (sshd `Include`) are fetched through a caller-supplied [`FileSource`] that is rooted
//! inside the scanned root filesystem.
//!
//! Modules and main entry points:
//! - [`sshd`]: [`sshd::parse_sshd_config`] → [`sshd::SshdConfig`] (Include/Match),
//!   [`sshd::SshdConfig::effective`] / [`sshd::SshdConfig::effective_for`] (as `sshd -T`,
//!   OpenSSH 9.2 defaults), checks `check_root_login`, `check_password_authentication`,
//!   `check_permit_empty_passwords`, `check_max_auth_tries`, `check_permit_user_environment`,
//!   `check_algorithms` (verdicts from `rules/params/ssh-algorithms.toml`).
//! - [`passwd`]: `parse_passwd`, `parse_shadow`, `check_empty_passwords`, `check_hash_schemes`,
//!   `check_shadow_hash_schemes`, `check_uid0`, `check_service_shells`.
//! - [`kconfig`]: `parse_kconfig`, `parse_kconfig_gz`, `parse_kconfig_any`,
//!   [`kconfig::KconfigProfile`] (`rules/params/kernel-hardening.toml`), `evaluate`.
//! - [`android`]: `parse_props`, [`android::Props::add_file`], `check_debuggable`,
//!   `check_secure`, `check_adb_secure`, `check_adb_disabled`, `check_selinux_enforcing`,
//!   `check_build_type`.
//! - [`sysctl`]: `parse_sysctl`, `load_sysctl` (systemd order), [`sysctl::SysctlProfile`]
//!   (`rules/params/sysctl-hardening.toml`), `check_sysctl`.
//! - [`firewall`]: `parse_iptables_save`, `parse_nftables`, `parse_ruleset`,
//!   `check_default_deny`.
//! - [`uci`]: OpenWrt UCI files (`parse_uci`, dropbear/uhttpd/firewall/system/network
//!   facts, remote-command toggles); [`inetd`], [`inittab`], [`initscripts`] (daemon
//!   starts, text scan), [`lighttpd`], [`systemd`] (enabled sockets/services).
//! - [`listeners`]: [`listeners::listener_inventory`], one inventory of network listeners
//!   (daemon, port, proto, bind, TLS, file:line) and console shells per root filesystem.
//! - [`android_capture`] (getprop, `/proc/cmdline`, bootconfig), [`android_rc`] (init
//!   `.rc` services), [`wifi`] (WPS); checks `android::check_build_identity`,
//!   `check_verified_boot`, `check_security_patch_age`, `check_wps_props`,
//!   `android_rc::check_debug_services`.
//! - [`versions`]: `detect_versions` (OS, OpenSSH, OpenSSL, mbedTLS, wolfSSL, kernel,
//!   Android) with sources; [`sysctl_defaults`]: upstream kernel defaults of the hardening
//!   keys; `kconfig::evaluate_versioned` (option names of the config's kernel version);
//!   `sshd::SshdDefaults::for_openssh` (defaults of the root's OpenSSH version).
//! - [`checks`]: the rule-engine surface: [`checks::CHECKS`] (check name → asset kind),
//!   typed parameter structs, [`checks::prepare`] (parameters typed once per rule),
//!   [`checks::judge`] (a pure query of a parsed root), [`checks::run_check`] (parse then
//!   judge, for tests), [`checks::split_rootfs`].
//! - [`root`]: [`root::parse_root`] → [`root::ParsedRoot`], every file a root's checks
//!   and ECU cross-checks need, read and parsed once when the build is loaded.

pub mod android;
pub mod android_capture;
pub mod android_load;
pub mod android_rc;
pub mod checks;
pub mod common;
pub mod firewall;
pub mod inetd;
pub mod initscripts;
pub mod inittab;
pub mod kconfig;
pub mod kernel_facts;
pub mod lighttpd;
pub mod listeners;
pub mod passwd;
pub mod root;
pub mod sshd;
pub mod sysctl;
pub mod sysctl_defaults;
pub mod systemd;
pub mod uci;
pub mod version_num;
pub mod versions;
pub mod wifi;

pub use common::{DirRoot, FileSource, Finding, FnSource, Limits, MemRoot, ParseError};
