// FlowDAG: placeholder until its module lands.
