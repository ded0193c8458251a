"""Check-in and check-out (WFO, WFH, official travel), exceptions, monthly recaps and presence intervals (who was
in which building, floor and room, and when).
"""
