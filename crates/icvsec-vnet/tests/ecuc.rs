//! ECUC module configurations (SecOC, Dcm, PduR) and references across files.

use icvsec_vnet::Limits;
use icvsec_vnet::arxml::{ArxmlSet, ConfigSource, Freshness, RouteKind, parse_arxml};

/// System part: one CAN cluster with two PDUs and their frames.
const SYSTEM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<AUTOSAR xmlns="http://autosar.org/schema/r4.0">
<AR-PACKAGES><AR-PACKAGE><SHORT-NAME>Sys</SHORT-NAME><ELEMENTS>
  <CAN-CLUSTER><SHORT-NAME>CAN_Chassis</SHORT-NAME><CAN-CLUSTER-VARIANTS><CAN-CLUSTER-CONDITIONAL>
    <PHYSICAL-CHANNELS><CAN-PHYSICAL-CHANNEL><SHORT-NAME>Ch</SHORT-NAME>
      <FRAME-TRIGGERINGS><CAN-FRAME-TRIGGERING><SHORT-NAME>FT_Yaw</SHORT-NAME>
        <FRAME-REF DEST="CAN-FRAME">/Sys/Yaw_Frame</FRAME-REF><IDENTIFIER>0x90</IDENTIFIER>
      </CAN-FRAME-TRIGGERING></FRAME-TRIGGERINGS>
      <PDU-TRIGGERINGS><PDU-TRIGGERING><SHORT-NAME>PT_Yaw</SHORT-NAME>
        <I-PDU-REF DEST="I-SIGNAL-I-PDU">/Sys/Yaw_Rate</I-PDU-REF></PDU-TRIGGERING></PDU-TRIGGERINGS>
    </CAN-PHYSICAL-CHANNEL></PHYSICAL-CHANNELS>
  </CAN-CLUSTER-CONDITIONAL></CAN-CLUSTER-VARIANTS></CAN-CLUSTER>
  <CAN-CLUSTER><SHORT-NAME>CAN_Body</SHORT-NAME><CAN-CLUSTER-VARIANTS><CAN-CLUSTER-CONDITIONAL>
    <PHYSICAL-CHANNELS><CAN-PHYSICAL-CHANNEL><SHORT-NAME>Ch</SHORT-NAME>
      <PDU-TRIGGERINGS><PDU-TRIGGERING><SHORT-NAME>PT_Yaw_Body</SHORT-NAME>
        <I-PDU-REF DEST="I-SIGNAL-I-PDU">/Sys/Yaw_Rate</I-PDU-REF></PDU-TRIGGERING></PDU-TRIGGERINGS>
    </CAN-PHYSICAL-CHANNEL></PHYSICAL-CHANNELS>
  </CAN-CLUSTER-CONDITIONAL></CAN-CLUSTER-VARIANTS></CAN-CLUSTER>
  <CAN-FRAME><SHORT-NAME>Yaw_Frame</SHORT-NAME><PDU-TO-FRAME-MAPPINGS><PDU-TO-FRAME-MAPPING>
    <SHORT-NAME>M</SHORT-NAME><PDU-REF DEST="I-SIGNAL-I-PDU">/Sys/Yaw_Rate</PDU-REF>
  </PDU-TO-FRAME-MAPPING></PDU-TO-FRAME-MAPPINGS></CAN-FRAME>
  <I-SIGNAL-I-PDU><SHORT-NAME>Yaw_Rate</SHORT-NAME><LENGTH>8</LENGTH></I-SIGNAL-I-PDU>
  <I-SIGNAL-I-PDU><SHORT-NAME>Door_State</SHORT-NAME><LENGTH>8</LENGTH></I-SIGNAL-I-PDU>
</ELEMENTS></AR-PACKAGE></AR-PACKAGES></AUTOSAR>
"#;

/// ECUC part (a second file): EcuC PDUs, SecOC, Dcm and PduR values.
const ECUC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<AUTOSAR xmlns="http://autosar.org/schema/r4.0">
<AR-PACKAGES><AR-PACKAGE><SHORT-NAME>EcucCfg</SHORT-NAME><ELEMENTS>
 <ECUC-MODULE-CONFIGURATION-VALUES><SHORT-NAME>EcuC</SHORT-NAME>
  <DEFINITION-REF DEST="ECUC-MODULE-DEF">/AUTOSAR/EcucDefs/EcuC</DEFINITION-REF>
  <CONTAINERS><ECUC-CONTAINER-VALUE><SHORT-NAME>EcucPduCollection</SHORT-NAME>
   <DEFINITION-REF DEST="ECUC-PARAM-CONF-CONTAINER-DEF">/AUTOSAR/EcucDefs/EcuC/EcucPduCollection</DEFINITION-REF>
   <SUB-CONTAINERS>
    <ECUC-CONTAINER-VALUE><SHORT-NAME>Pdu_Yaw_Rate</SHORT-NAME>
     <DEFINITION-REF DEST="ECUC-PARAM-CONF-CONTAINER-DEF">/AUTOSAR/EcucDefs/EcuC/EcucPduCollection/Pdu</DEFINITION-REF>
     <REFERENCE-VALUES><ECUC-REFERENCE-VALUE>
      <DEFINITION-REF DEST="ECUC-FOREIGN-REFERENCE-DEF">/AUTOSAR/EcucDefs/EcuC/EcucPduCollection/Pdu/SysTPduToFrameMappingRef</DEFINITION-REF>
      <VALUE-REF DEST="PDU-TRIGGERING">/Sys/CAN_Chassis/Ch/PT_Yaw</VALUE-REF>
     </ECUC-REFERENCE-VALUE></REFERENCE-VALUES>
    </ECUC-CONTAINER-VALUE>
    <ECUC-CONTAINER-VALUE><SHORT-NAME>Pdu_Yaw_Rate_Body</SHORT-NAME>
     <DEFINITION-REF DEST="ECUC-PARAM-CONF-CONTAINER-DEF">/AUTOSAR/EcucDefs/EcuC/EcucPduCollection/Pdu</DEFINITION-REF>
     <REFERENCE-VALUES><ECUC-REFERENCE-VALUE>
      <DEFINITION-REF DEST="ECUC-FOREIGN-REFERENCE-DEF">/AUTOSAR/EcucDefs/EcuC/EcucPduCollection/Pdu/SysTPduToFrameMappingRef</DEFINITION-REF>
      <VALUE-REF DEST="PDU-TRIGGERING">/Sys/CAN_Body/Ch/PT_Yaw_Body</VALUE-REF>
     </ECUC-REFERENCE-VALUE></REFERENCE-VALUES>
    </ECUC-CONTAINER-VALUE>
    <ECUC-CONTAINER-VALUE><SHORT-NAME>Door_State</SHORT-NAME>
     <DEFINITION-REF DEST="ECUC-PARAM-CONF-CONTAINER-DEF">/AUTOSAR/EcucDefs/EcuC/EcucPduCollection/Pdu</DEFINITION-REF>
    </ECUC-CONTAINER-VALUE>
   </SUB-CONTAINERS>
  </ECUC-CONTAINER-VALUE></CONTAINERS>
 </ECUC-MODULE-CONFIGURATION-VALUES>
 <ECUC-MODULE-CONFIGURATION-VALUES><SHORT-NAME>SecOC</SHORT-NAME>
  <DEFINITION-REF DEST="ECUC-MODULE-DEF">/AUTOSAR/EcucDefs/SecOC</DEFINITION-REF>
  <CONTAINERS>
   <ECUC-CONTAINER-VALUE><SHORT-NAME>SecOCTx_Yaw</SHORT-NAME>
    <DEFINITION-REF DEST="ECUC-PARAM-CONF-CONTAINER-DEF">/AUTOSAR/EcucDefs/SecOC/SecOCTxPduProcessing</DEFINITION-REF>
    <PARAMETER-VALUES>
     <ECUC-NUMERICAL-PARAM-VALUE><DEFINITION-REF DEST="ECUC-INTEGER-PARAM-DEF">/AUTOSAR/EcucDefs/SecOC/SecOCTxPduProcessing/SecOCAuthInfoTruncLength</DEFINITION-REF><VALUE>28</VALUE></ECUC-NUMERICAL-PARAM-VALUE>
     <ECUC-NUMERICAL-PARAM-VALUE><DEFINITION-REF DEST="ECUC-INTEGER-PARAM-DEF">/AUTOSAR/EcucDefs/SecOC/SecOCTxPduProcessing/SecOCFreshnessValueLength</DEFINITION-REF><VALUE>64</VALUE></ECUC-NUMERICAL-PARAM-VALUE>
     <ECUC-NUMERICAL-PARAM-VALUE><DEFINITION-REF DEST="ECUC-INTEGER-PARAM-DEF">/AUTOSAR/EcucDefs/SecOC/SecOCTxPduProcessing/SecOCFreshnessValueTruncLength</DEFINITION-REF><VALUE>4</VALUE></ECUC-NUMERICAL-PARAM-VALUE>
    </PARAMETER-VALUES>
    <SUB-CONTAINERS><ECUC-CONTAINER-VALUE><SHORT-NAME>Authentic</SHORT-NAME>
     <DEFINITION-REF DEST="ECUC-PARAM-CONF-CONTAINER-DEF">/AUTOSAR/EcucDefs/SecOC/SecOCTxPduProcessing/SecOCTxAuthenticPduLayer</DEFINITION-REF>
     <REFERENCE-VALUES><ECUC-REFERENCE-VALUE>
      <DEFINITION-REF DEST="ECUC-REFERENCE-DEF">/AUTOSAR/EcucDefs/SecOC/SecOCTxPduProcessing/SecOCTxAuthenticPduLayer/SecOCTxAuthenticLayerPduRef</DEFINITION-REF>
      <VALUE-REF DEST="ECUC-CONTAINER-VALUE">/EcucCfg/EcuC/EcucPduCollection/Pdu_Yaw_Rate</VALUE-REF>
     </ECUC-REFERENCE-VALUE></REFERENCE-VALUES>
    </ECUC-CONTAINER-VALUE></SUB-CONTAINERS>
   </ECUC-CONTAINER-VALUE>
  </CONTAINERS>
 </ECUC-MODULE-CONFIGURATION-VALUES>
 <ECUC-MODULE-CONFIGURATION-VALUES><SHORT-NAME>Dcm</SHORT-NAME>
  <DEFINITION-REF DEST="ECUC-MODULE-DEF">/AUTOSAR/EcucDefs/Dcm</DEFINITION-REF>
  <CONTAINERS><ECUC-CONTAINER-VALUE><SHORT-NAME>DcmDspSecurityRow_Level1</SHORT-NAME>
   <DEFINITION-REF DEST="ECUC-PARAM-CONF-CONTAINER-DEF">/AUTOSAR/EcucDefs/Dcm/DcmConfigSet/DcmDsp/DcmDspSecurity/DcmDspSecurityRow</DEFINITION-REF>
   <PARAMETER-VALUES>
    <ECUC-NUMERICAL-PARAM-VALUE><DEFINITION-REF DEST="ECUC-INTEGER-PARAM-DEF">/AUTOSAR/EcucDefs/Dcm/DcmConfigSet/DcmDsp/DcmDspSecurity/DcmDspSecurityRow/DcmDspSecurityLevel</DEFINITION-REF><VALUE>1</VALUE></ECUC-NUMERICAL-PARAM-VALUE>
    <ECUC-NUMERICAL-PARAM-VALUE><DEFINITION-REF DEST="ECUC-INTEGER-PARAM-DEF">/AUTOSAR/EcucDefs/Dcm/DcmConfigSet/DcmDsp/DcmDspSecurity/DcmDspSecurityRow/DcmDspSecurityNumAttDelay</DEFINITION-REF><VALUE>5</VALUE></ECUC-NUMERICAL-PARAM-VALUE>
    <ECUC-NUMERICAL-PARAM-VALUE><DEFINITION-REF DEST="ECUC-FLOAT-PARAM-DEF">/AUTOSAR/EcucDefs/Dcm/DcmConfigSet/DcmDsp/DcmDspSecurity/DcmDspSecurityRow/DcmDspSecurityDelayTime</DEFINITION-REF><VALUE>0.5</VALUE></ECUC-NUMERICAL-PARAM-VALUE>
    <ECUC-NUMERICAL-PARAM-VALUE><DEFINITION-REF DEST="ECUC-FLOAT-PARAM-DEF">/AUTOSAR/EcucDefs/Dcm/DcmConfigSet/DcmDsp/DcmDspSecurity/DcmDspSecurityRow/DcmDspSecurityDelayTimeOnBoot</DEFINITION-REF><VALUE>0</VALUE></ECUC-NUMERICAL-PARAM-VALUE>
    <ECUC-NUMERICAL-PARAM-VALUE><DEFINITION-REF DEST="ECUC-BOOLEAN-PARAM-DEF">/AUTOSAR/EcucDefs/Dcm/DcmConfigSet/DcmDsp/DcmDspSecurity/DcmDspSecurityRow/DcmDspSecurityAttemptCounterEnabled</DEFINITION-REF><VALUE>true</VALUE></ECUC-NUMERICAL-PARAM-VALUE>
    <ECUC-NUMERICAL-PARAM-VALUE><DEFINITION-REF DEST="ECUC-INTEGER-PARAM-DEF">/AUTOSAR/EcucDefs/Dcm/DcmConfigSet/DcmDsp/DcmDspSecurity/DcmDspSecurityRow/DcmDspSecuritySeedSize</DEFINITION-REF><VALUE>4</VALUE></ECUC-NUMERICAL-PARAM-VALUE>
   </PARAMETER-VALUES>
  </ECUC-CONTAINER-VALUE></CONTAINERS>
 </ECUC-MODULE-CONFIGURATION-VALUES>
 <ECUC-MODULE-CONFIGURATION-VALUES><SHORT-NAME>PduR</SHORT-NAME>
  <DEFINITION-REF DEST="ECUC-MODULE-DEF">/AUTOSAR/EcucDefs/PduR</DEFINITION-REF>
  <CONTAINERS><ECUC-CONTAINER-VALUE><SHORT-NAME>PduRRoutingPath_Yaw</SHORT-NAME>
   <DEFINITION-REF DEST="ECUC-PARAM-CONF-CONTAINER-DEF">/AUTOSAR/EcucDefs/PduR/PduRRoutingTables/PduRRoutingTable/PduRRoutingPath</DEFINITION-REF>
   <SUB-CONTAINERS>
    <ECUC-CONTAINER-VALUE><SHORT-NAME>Src</SHORT-NAME>
     <DEFINITION-REF DEST="ECUC-PARAM-CONF-CONTAINER-DEF">/AUTOSAR/EcucDefs/PduR/PduRRoutingTables/PduRRoutingTable/PduRRoutingPath/PduRSrcPdu</DEFINITION-REF>
     <REFERENCE-VALUES><ECUC-REFERENCE-VALUE>
      <DEFINITION-REF DEST="ECUC-REFERENCE-DEF">/AUTOSAR/EcucDefs/PduR/PduRRoutingTables/PduRRoutingTable/PduRRoutingPath/PduRSrcPdu/PduRSrcPduRef</DEFINITION-REF>
      <VALUE-REF DEST="ECUC-CONTAINER-VALUE">/EcucCfg/EcuC/EcucPduCollection/Pdu_Yaw_Rate</VALUE-REF>
     </ECUC-REFERENCE-VALUE></REFERENCE-VALUES>
    </ECUC-CONTAINER-VALUE>
    <ECUC-CONTAINER-VALUE><SHORT-NAME>Dst</SHORT-NAME>
     <DEFINITION-REF DEST="ECUC-PARAM-CONF-CONTAINER-DEF">/AUTOSAR/EcucDefs/PduR/PduRRoutingTables/PduRRoutingTable/PduRRoutingPath/PduRDestPdu</DEFINITION-REF>
     <REFERENCE-VALUES><ECUC-REFERENCE-VALUE>
      <DEFINITION-REF DEST="ECUC-REFERENCE-DEF">/AUTOSAR/EcucDefs/PduR/PduRRoutingTables/PduRRoutingTable/PduRRoutingPath/PduRDestPdu/PduRDestPduRef</DEFINITION-REF>
      <VALUE-REF DEST="ECUC-CONTAINER-VALUE">/EcucCfg/EcuC/EcucPduCollection/Pdu_Yaw_Rate_Body</VALUE-REF>
     </ECUC-REFERENCE-VALUE></REFERENCE-VALUES>
    </ECUC-CONTAINER-VALUE>
   </SUB-CONTAINERS>
  </ECUC-CONTAINER-VALUE></CONTAINERS>
 </ECUC-MODULE-CONFIGURATION-VALUES>
</ELEMENTS></AR-PACKAGE></AR-PACKAGES></AUTOSAR>
"#;

#[test]
fn ecuc_values_resolved_across_files() {
    let mut set = ArxmlSet::new(Limits::default());
    set.add_file("system.arxml", SYSTEM.as_bytes()).unwrap();
    set.add_file("ecuc.arxml", ECUC.as_bytes()).unwrap();
    let f = set.facts();
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(f.files, vec!["system.arxml", "ecuc.arxml"]);

    assert_eq!(f.secoc.len(), 1);
    let s = &f.secoc[0];
    assert_eq!(s.source, ConfigSource::Ecuc);
    assert_eq!(s.path, "/EcucCfg/SecOC/SecOCTx_Yaw");
    assert_eq!(s.place.file, "ecuc.arxml");
    // JASPAR-like profile: 28-bit MAC, 4 of 64 freshness bits.
    assert_eq!(
        (s.mac_bits, s.freshness_value_bits, s.freshness_bits),
        (Some(28), Some(64), Some(4))
    );
    assert_eq!(s.freshness, Freshness::Counter);
    assert_eq!(s.algorithm, None);
    // Followed to the system PDU through the EcuC PDU's reference.
    assert_eq!(s.authentic_pdu.as_deref(), Some("Yaw_Rate"));
    assert_eq!(s.authentic_pdu_path.as_deref(), Some("/Sys/Yaw_Rate"));
    assert_eq!(s.buses, vec!["CAN_Body", "CAN_Chassis"]);

    let secured: Vec<(&str, usize)> = f
        .pdus
        .iter()
        .map(|p| (p.name.as_str(), p.secured_by.len()))
        .collect();
    assert_eq!(secured, vec![("Yaw_Rate", 1), ("Door_State", 0)]);
    assert_eq!(f.pdus[0].can_ids, vec![0x90]);

    assert_eq!(f.security_levels.len(), 1);
    let l = &f.security_levels[0];
    assert_eq!(l.source, ConfigSource::Ecuc);
    assert_eq!(l.level, Some(1));
    assert_eq!(l.request_seed_id, Some(1));
    assert_eq!(l.max_attempts, Some(5));
    assert_eq!(l.delay_ms, Some(500));
    assert_eq!(l.delay_on_boot_ms, Some(0));
    assert_eq!(l.attempt_counter_enabled, Some(true));
    assert_eq!(l.seed_bytes, Some(4));

    assert_eq!(f.routes.len(), 1);
    let r = &f.routes[0];
    assert_eq!(r.kind, RouteKind::PduRRoutingPath);
    assert_eq!(r.path, "/EcucCfg/PduR/PduRRoutingPath_Yaw");
    assert_eq!(r.source.pdu.as_deref(), Some("Pdu_Yaw_Rate"));
    assert_eq!(r.dest.pdu.as_deref(), Some("Pdu_Yaw_Rate_Body"));
    // Each EcuC PDU names one triggering, hence one bus.
    assert_eq!(r.source.bus.as_deref(), Some("CAN_Chassis"));
    assert_eq!(r.dest.bus.as_deref(), Some("CAN_Body"));
    assert_eq!(r.source.can_ids, vec![0x90]);
}

#[test]
fn ecuc_alone_reports_the_missing_system_targets() {
    // Without the system file the EcuC PDUs' references dangle: reported, not fatal.
    let f = parse_arxml("ecuc.arxml", ECUC.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(f.errors.len(), 2, "{:?}", f.errors);
    let e = &f.errors[0];
    assert_eq!(e.kind, icvsec_vnet::ErrorKind::DanglingReference);
    assert_eq!(e.file, "ecuc.arxml");
    assert!(e.line.is_some() && e.col.is_some());
    assert_eq!(
        e.path.as_deref(),
        Some("/EcucCfg/EcuC/EcucPduCollection/Pdu_Yaw_Rate")
    );
    assert!(
        e.message.contains("/Sys/CAN_Chassis/Ch/PT_Yaw"),
        "{}",
        e.message
    );
    // The SecOC configuration is still there, named after the EcuC PDU.
    assert_eq!(f.secoc[0].authentic_pdu.as_deref(), Some("Pdu_Yaw_Rate"));
    assert!(f.secoc[0].buses.is_empty());
}
