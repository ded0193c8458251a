"""The roster engine: WFO/WFH plans in stable cohorts (``siaga-roster-problem/1`` → ``siaga-roster-plan/1``).

No Django imports here: the engine is driven by plain data, from the web app or from files.
"""
