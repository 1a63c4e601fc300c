// The renderer's entry: connect to the engine (IPC in Electron, HTTP in browser mode) and mount the app.
import { mount } from 'svelte';
import App from './App.svelte';
import { connect } from './connection/connect.js';
import { start } from './state/app.svelte.js';
import './styles/app.css';

start(connect(window));
const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, { target });
