// FlowState: placeholder until its module lands.
