// FlowExec: placeholder until its module lands.
