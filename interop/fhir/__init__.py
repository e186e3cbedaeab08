"""FHIR R4 (4.0.1) mapping, both ways, for the Danish profiles (FUT / MedCom / dk-core).

Plain functions from already-loaded model instances to FHIR JSON dicts (``*_to_fhir``) and from
FHIR JSON to plain data (``*_from_fhir``). No queries here: selectors load what they need.
"""
