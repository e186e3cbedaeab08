"""Demo data: plausible people and series and the ``seed_demo`` command.

An app of its own on top of the domain apps, because it needs every model; nothing imports it
but the dev launcher (for the logins below), its tests and the benchmarks.
"""

# (role, username, password) of the demo users that ``manage.py seed_demo`` creates; the dev
# launcher (telemed/devrun.py) prints them. Kept here, import-free, so it needs no app registry.
DEMO_PASSWORD = "telemed-demo"
DEMO_LOGINS = [
    ("nurse", "nurse.nord1", DEMO_PASSWORD),
    ("nurse (other team)", "nurse.syd1", DEMO_PASSWORD),
    ("doctor (GP)", "doctor.gp1", DEMO_PASSWORD),
    ("doctor (hospital)", "doctor.auh1", DEMO_PASSWORD),
    ("organisation admin", "admin.aarhus", DEMO_PASSWORD),
    ("citizen", "citizen.001", DEMO_PASSWORD),
    ("superuser", "admin", DEMO_PASSWORD),
]
