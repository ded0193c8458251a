"""Work-arrangement policies, planning periods and roster plans."""
