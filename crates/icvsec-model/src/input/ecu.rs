//! ECU security configuration: one file per ECU, referenced from vehicle.json.
//! Every section is optional: a rule that needs a missing section fails and points at
//! the file that should hold it.

use super::choice::*;
use super::tls::TlsProfile;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EcuConfig {
    /// The JSON Schema of this file, for editor support; icvsec does not read it.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub schema_version: u32,
    /// Must equal the id of the vehicle.json entry that references this file.
    pub ecu: String,
    /// `linux`, `android`, `qnx`, `autosar_classic`, `autosar_adaptive`, `rtos`, `bare_metal`.
    #[serde(default)]
    pub os: Option<OsKind>,
    #[serde(default)]
    pub debug: Option<Debug>,
    #[serde(default)]
    pub secure_boot: Option<SecureBoot>,
    #[serde(default)]
    pub software_update: Option<SoftwareUpdate>,
    #[serde(default)]
    pub key_storage: Option<KeyStorage>,
    #[serde(default)]
    pub diagnostics: Option<Diagnostics>,
    #[serde(default)]
    pub interfaces: Option<Interfaces>,
    /// Listening network services.
    #[serde(default)]
    pub services: Vec<ListeningService>,
    #[serde(default)]
    pub logging: Option<Logging>,
    #[serde(default)]
    pub ids: Option<Ids>,
    #[serde(default)]
    pub tls_profiles: Vec<TlsProfile>,
    /// Secured on-board communication on messages this ECU sends or receives.
    #[serde(default)]
    pub secoc: Vec<SecocMessage>,
    /// Gateway routing and filtering (gateway ECUs).
    #[serde(default)]
    pub gateway: Option<Gateway>,
    #[serde(default)]
    pub remote_control: Option<RemoteControl>,
    #[serde(default)]
    pub apps: Option<Apps>,
    /// Identity certificate of this ECU (build-relative path).
    #[serde(default)]
    pub identity_certificate: Option<String>,
    /// Its private key, when stored as a file in the build.
    #[serde(default)]
    pub identity_key: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PortState {
    Disabled,
    Fused,
    Authenticated,
    Enabled,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Debug {
    #[serde(default)]
    pub jtag: Option<PortState>,
    #[serde(default)]
    pub swd: Option<PortState>,
    #[serde(default)]
    pub uart: Option<PortState>,
    /// Whether a console (UART, adb, serial getty) gives a root shell.
    #[serde(default)]
    pub root_shell_on_console: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecureBoot {
    pub enabled: bool,
    /// e.g. `rsa-pss-3072-sha256`, `ecdsa-p256-sha256`, `sm2-sm3`.
    #[serde(default)]
    pub signature_algorithm: Option<String>,
    /// Where the root of trust lives: `otp`, `hsm`, `rom`, `flash`.
    #[serde(default)]
    pub root_of_trust: Option<RootOfTrust>,
    /// Whether the boot keys are the vendor's test/development keys.
    #[serde(default)]
    pub test_keys: Option<bool>,
    /// Anti-rollback with a monotonic counter.
    #[serde(default)]
    pub rollback_protection: Option<bool>,
    #[serde(default)]
    pub monotonic_counter: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SoftwareUpdate {
    /// `ota`, `local`, `both`, `none`.
    #[serde(default)]
    pub channel: Option<UpdateChannel>,
    /// Whether the ECU verifies the package signature itself.
    #[serde(default)]
    pub signature_verification: Option<bool>,
    #[serde(default)]
    pub signature_algorithm: Option<String>,
    #[serde(default)]
    pub downgrade_prevention: Option<bool>,
    /// Whether the update server (or tool) is authenticated before download.
    #[serde(default)]
    pub server_authentication: Option<bool>,
    /// `ab_partition`, `rollback`, `recovery_image`, `none`.
    #[serde(default)]
    pub failure_recovery: Option<FailureRecovery>,
    #[serde(default)]
    pub user_notification: Option<bool>,
    /// Whether the software version (SWIN) can be read out.
    #[serde(default)]
    pub version_readable: Option<bool>,
    /// Endpoint id of the update server.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// Certificate whose key signs update packages (build-relative path), when it ships in the build.
    #[serde(default)]
    pub signing_certificate: Option<String>,
    /// Software version installed on the ECU: an update package must be newer (anti-rollback).
    #[serde(default)]
    pub installed_version: Option<String>,
    /// Whether the user (driver) must confirm an OTA update before it is installed
    /// (GB 44496: user notification and consent).
    #[serde(default)]
    pub user_consent: Option<bool>,
    /// Software identification number (SWIN) of the software installed, as read out of
    /// the vehicle (GB 44496: SWIN tied to the ECU software versions).
    #[serde(default)]
    pub swin: Option<String>,
    /// Preconditions checked before installation starts, from: `vehicle_stationary`,
    /// `gear_park`, `parking_brake`, `ignition_off`, `engine_off`, `battery_level`,
    /// `not_charging`, `driver_confirmation`, `network_available`.
    #[serde(default)]
    pub preconditions: Option<Vec<String>>,
    /// How power is assured for the whole installation: `battery_check` (a minimum state
    /// of charge before start), `external_supply` (workshop supply required),
    /// `dcdc_keep_alive` (high-voltage battery keeps the 12 V net up), `none`.
    #[serde(default)]
    pub power_assurance: Option<String>,
    /// Minimum battery state of charge, percent, required before installation starts.
    #[serde(default)]
    pub min_battery_soc_percent: Option<u32>,
    /// Records kept of each update (GB 44496: update records).
    #[serde(default)]
    pub records: Option<UpdateRecords>,
}

/// Records of software updates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRecords {
    /// Whether every update attempt is recorded (time, versions before and after, result).
    pub logged: bool,
    /// Where records are kept: `vehicle`, `backend`, `both`.
    #[serde(default)]
    pub stored: Option<String>,
    /// How long records are kept, years.
    #[serde(default)]
    pub retention_years: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyStorage {
    /// Where long-term keys are kept: `hsm`, `se`, `tee`, `software`, `filesystem`.
    pub kind: KeyStore,
    #[serde(default)]
    pub keys: Vec<StoredKey>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StoredKey {
    pub name: String,
    /// `hsm`, `se`, `tee`, `software`, `filesystem`.
    pub storage: KeyStore,
    #[serde(default)]
    pub purpose: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Diagnostics {
    #[serde(default)]
    pub security_access: Option<SecurityAccess>,
    #[serde(default)]
    pub authentication: Option<UdsAuthentication>,
    /// UDS services reachable on this ECU.
    #[serde(default)]
    pub services: Vec<UdsService>,
    /// Whether OBD access to this ECU is access-controlled (gateway or ECU side).
    #[serde(default)]
    pub obd_access_control: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityAccess {
    pub enabled: bool,
    #[serde(default)]
    pub seed_length_bytes: Option<u32>,
    /// `trng`, `csprng`, `prng`, `counter`, `constant`.
    #[serde(default)]
    pub seed_source: Option<SeedSource>,
    #[serde(default)]
    pub max_attempts: Option<u32>,
    #[serde(default)]
    pub delay_ms: Option<u32>,
    #[serde(default)]
    pub delay_persists_across_reset: Option<bool>,
    /// Whether the key algorithm uses one static secret for every vehicle.
    #[serde(default)]
    pub static_key: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UdsAuthentication {
    pub enabled: bool,
    /// `pki` (certificate exchange) or `challenge_response`.
    #[serde(default)]
    pub method: Option<UdsAuthMethod>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UdsService {
    /// Service id in hex, e.g. `0x2E`.
    pub sid: String,
    #[serde(default)]
    pub name: Option<String>,
    /// Sessions in which the service is reachable: `default`, `programming`, `extended`, ...
    #[serde(default)]
    pub sessions: Vec<String>,
    /// `none`, `security_access`, `authentication`.
    pub protection: UdsProtection,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Interfaces {
    #[serde(default)]
    pub usb: Option<Usb>,
    #[serde(default)]
    pub bluetooth: Option<Bluetooth>,
    #[serde(default)]
    pub wifi: Option<Wifi>,
    #[serde(default)]
    pub cellular: Option<Cellular>,
    #[serde(default)]
    pub obd: Option<Obd>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Usb {
    pub enabled: bool,
    #[serde(default)]
    pub access_control: Option<bool>,
    #[serde(default)]
    pub auto_run: Option<bool>,
    /// File types the ECU accepts from USB media (e.g. `mp3`, `jpg`); empty means any.
    #[serde(default)]
    pub allowed_file_types: Vec<String>,
    /// Whether software can be installed from USB without signature verification.
    #[serde(default)]
    pub unsigned_install: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bluetooth {
    pub enabled: bool,
    /// `secure_connections`, `numeric_comparison`, `passkey`, `just_works`, `legacy_pin`.
    #[serde(default)]
    pub pairing: Option<Pairing>,
    #[serde(default)]
    pub profiles: Vec<BluetoothProfile>,
    #[serde(default)]
    pub discoverable_always: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BluetoothProfile {
    /// e.g. `a2dp`, `hfp`, `pbap`, `map`, `spp`, `digital_key`.
    pub name: String,
    /// Whether the profile gives access to privileged functions or personal data.
    #[serde(default)]
    pub privileged: bool,
    /// Pairing mode accepted for this profile, when it differs from the adapter's.
    #[serde(default)]
    pub pairing: Option<Pairing>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Wifi {
    pub enabled: bool,
    /// `ap`, `station`, `both`.
    #[serde(default)]
    pub mode: Option<WifiMode>,
    /// `wpa3`, `wpa2`, `wpa2_wpa3`, `wpa`, `wep`, `open`.
    #[serde(default)]
    pub security: Option<WifiSecurity>,
    #[serde(default)]
    pub wps: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cellular {
    pub enabled: bool,
    /// Whether unsolicited inbound connections from the mobile network are blocked.
    #[serde(default)]
    pub inbound_blocked: Option<bool>,
    #[serde(default)]
    pub private_apn: Option<bool>,
    /// Whether SMS can trigger actions (wake-up, commands).
    #[serde(default)]
    pub sms_commands: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Obd {
    pub present: bool,
    #[serde(default)]
    pub access_control: Option<bool>,
    /// Whether write/routine/programming services over OBD need authentication.
    #[serde(default)]
    pub authentication: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListeningService {
    pub name: String,
    pub port: u16,
    /// `tcp` or `udp`.
    pub protocol: TransportProtocol,
    /// Address or interface bound: `0.0.0.0`, `127.0.0.1`, `eth0`, `wwan0`, ...
    #[serde(default)]
    pub bind: Option<String>,
    /// Why the service exists; a service without a declared purpose is superfluous.
    #[serde(default)]
    pub purpose: Option<String>,
    /// `none`, `password`, `key`, `mtls`, `token`.
    #[serde(default)]
    pub authentication: Option<ServiceAuth>,
    /// Whether the service is only for development (telnet, adb over TCP, gdbserver, ...).
    #[serde(default)]
    pub debug_only: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Logging {
    pub security_log: bool,
    /// `second`, `millisecond`, `minute`, ...
    #[serde(default)]
    pub timestamp_resolution: Option<String>,
    #[serde(default)]
    pub includes_vin: Option<bool>,
    #[serde(default)]
    pub event_types: Vec<String>,
    #[serde(default)]
    pub integrity_protection: Option<bool>,
    /// Whether logs are uploaded to the OEM security operations centre.
    #[serde(default)]
    pub upload_to_vsoc: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ids {
    pub enabled: bool,
    /// What it watches: `can`, `ethernet`, `host`.
    #[serde(default)]
    pub monitors: Vec<IdsMonitor>,
    #[serde(default)]
    pub flooding_detection: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecocMessage {
    pub message: String,
    /// CAN id (hex) or PDU id.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub safety_relevant: bool,
    /// Whether SecOC protects this message at all.
    pub authenticated: bool,
    /// e.g. `aes128_cmac`.
    #[serde(default)]
    pub algorithm: Option<String>,
    /// Truncated MAC length in bits.
    #[serde(default)]
    pub mac_bits: Option<u32>,
    /// `counter`, `timestamp` or `none`.
    #[serde(default)]
    pub freshness: Option<Freshness>,
    /// Truncated freshness value length in bits transmitted with the message.
    #[serde(default)]
    pub freshness_bits: Option<u32>,
    /// Length in bits of the complete freshness value that sender and receiver keep (the
    /// message carries `freshness_bits` of it): AUTOSAR SecOC profile 3 sends 4 bits of a
    /// 64-bit counter.
    #[serde(default)]
    pub freshness_value_bits: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Gateway {
    /// Routing/filter rules between networks. Traffic not matched is dropped when
    /// `default_action` is `deny`.
    #[serde(default)]
    pub routes: Vec<GatewayRoute>,
    /// `deny` or `allow`.
    pub default_action: FilterPolicy,
    #[serde(default)]
    pub ethernet_firewall: Option<EthernetFirewall>,
    /// Rate limiting against flooding on routed traffic.
    #[serde(default)]
    pub rate_limiting: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GatewayRoute {
    pub from: String,
    pub to: String,
    /// Allowed message ids (hex); `["*"]` means everything.
    pub allowed_ids: Vec<String>,
    /// Whether diagnostic requests are forwarded (only after authentication).
    #[serde(default)]
    pub diagnostics: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EthernetFirewall {
    /// `deny` or `allow`.
    pub default_policy: FilterPolicy,
    #[serde(default)]
    pub vlan_separation: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteControl {
    pub enabled: bool,
    #[serde(default)]
    pub commands_authenticated: Option<bool>,
    #[serde(default)]
    pub commands_integrity_protected: Option<bool>,
    #[serde(default)]
    pub anti_replay: Option<bool>,
    #[serde(default)]
    pub commands_logged: Option<bool>,
    /// Each command is checked, before it runs, against what its sender is authorised to
    /// do on this vehicle (access control per user, vehicle and command), not only that it
    /// comes from the OEM cloud.
    #[serde(default)]
    pub commands_authorised: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Apps {
    /// Whether third-party apps can be installed.
    pub third_party: bool,
    #[serde(default)]
    pub signature_required: Option<bool>,
    #[serde(default)]
    pub permission_control: Option<bool>,
    /// Sideloading from unknown sources.
    #[serde(default)]
    pub sideloading: Option<bool>,
}
