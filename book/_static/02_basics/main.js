// Demos of chapter 02 (신경망의 기초). Wiring only: each demo owns its root element.
import { startSquiggleExplorer } from "./squiggle-explorer.js";
import { startNeuronDemo } from "./neuron-demo.js";

const explorer = document.getElementById("squiggle-explorer");
if (explorer) startSquiggleExplorer(explorer);   // tiny: no download, starts at once
const neuron = document.getElementById("neuron-demo");
if (neuron) startNeuronDemo(neuron);             // fetches its weights only when scrolled near
