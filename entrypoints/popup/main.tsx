import { render } from 'preact';
import { PopupApp } from '../../src/ui/popup/app';
import '../../src/ui/styles.css';

document.documentElement.lang = navigator.language.startsWith('ja') ? 'ja' : 'en';
render(<PopupApp />, document.getElementById('app')!);
