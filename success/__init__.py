"""The CSM's workbench: logged 1:1 touches that end with homework, the hybrid mix of human and
digital touch per account against its lifecycle stage, CSM capacity, playbooks that turn risk
into tasks, and one timeline per account."""
