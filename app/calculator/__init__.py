"""The campaign carbon calculator: factors, questionnaires and computed lines.

Everything here is plain Python with no request or database access, so that a
view, a test and an audit script compute a footprint the same way.
"""
