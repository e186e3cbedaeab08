"""Code systems and identifiers (DESIGN.md, "Interoperability"; FUT IG and MedCom terminology)."""

CPR = "urn:oid:1.2.208.176.1.2"  # dk-core: Det Centrale Personregister
NPU = "urn:oid:1.2.208.176.2.1"  # NPU (and the Danish local DNK codes, same register)
MCS = "urn:oid:1.2.208.184.100.8"  # MedCom Message Codes
IEEE = "urn:iso:std:iso:11073:10101"  # IEEE 11073-10101 device nomenclature (MDC)
UCUM = "http://unitsofmeasure.org"
REFERENCE_RANGE_TYPE = "urn:oid:1.2.208.184.100.1"  # RAL (red alarm limit), GAL (yellow)
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
URN = "urn:ietf:rfc:3986"  # identifiers that are URIs (urn:uuid:...)
SOR = "urn:oid:1.2.208.176.1.1"  # Sundhedsvæsenets Organisationsregister
# Telemed's own small code systems, for what no national system codes (the measurement source,
# the triage severity as the nurse sees it).
TELEMED = "http://telemed.dk/fhir/CodeSystem"
SOURCE = f"{TELEMED}/measurement-source"
SEVERITY = f"{TELEMED}/triage-severity"
QUESTIONNAIRE = "http://telemed.dk/fhir/Questionnaire"

DK_CORE_PATIENT = "http://hl7.dk/fhir/core/StructureDefinition/dk-core-patient"

CODE_SYSTEMS = {"NPU": NPU, "DNK": NPU, "MCS": MCS}
SYSTEM_NAMES = {NPU: {"NPU", "DNK"}, MCS: {"MCS"}}
