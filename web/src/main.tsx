import { render } from 'preact';
import { App } from './components/App';
import { boot } from './store';
import './notify';
import './styles.css';

const root = document.getElementById('app');
if (root) {
  render(<App />, root);
  void boot();
}
