import { render } from 'preact';
import { OptionsApp } from '../../src/ui/options/app';
import '../../src/ui/styles.css';

document.documentElement.lang = navigator.language.startsWith('ja') ? 'ja' : 'en';
render(<OptionsApp />, document.getElementById('app')!);
