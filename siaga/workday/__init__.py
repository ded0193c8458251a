"""e-Kinerja daily work reports, travel permits (izin keluar daerah) and recalls to the office."""
