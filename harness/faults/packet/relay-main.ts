// Entry point of the packet relay process (started inside a run's router namespace by network.ts).
import { runRelay } from "./relay.js";

runRelay();
