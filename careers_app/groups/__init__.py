"""Trusts and partnerships (issue 15): the group lead's dashboard across schools, a school's
figures in aggregate mode, exports for trust boards and the group's own action plans."""
