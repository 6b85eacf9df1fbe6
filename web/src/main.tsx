import { render } from 'preact';
import { App } from './components/App';
import { boot } from './store';
import './styles.css';

const root = document.getElementById('app');
if (root) {
  render(<App />, root);
  void boot();
}
