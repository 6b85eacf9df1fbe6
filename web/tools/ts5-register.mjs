// Loaded with `node --import` before the openapi-typescript command line (tools/api-types.mjs).
import { register } from 'node:module';

register('./ts5-hooks.mjs', import.meta.url);
