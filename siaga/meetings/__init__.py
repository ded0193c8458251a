"""Meetings with priority and mode, room bookings within distancing capacity, and mass events under the policy."""
