import { render } from 'preact';
import { boot } from './boot';
import { App } from './components/App';
import './styles.css';

const root = document.getElementById('app');
if (root) {
  void boot();
  render(<App />, root);
}
