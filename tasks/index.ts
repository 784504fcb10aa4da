// Every Hardhat task module registers itself on import; this file is the one list of them.
import "./registry";
import "./market";
import "./pods";
import "./swarm";
import "./deploy";
import "./runs";
import "./groups";
import "./messages";
import "./key-grants";
